-- check: future_timestamps
-- stage: silver
-- severity: blocking
-- threshold: 0.001
-- fails when: observed > threshold
-- Share of the day's events dated after the end of the partition day plus one hour of clock
-- skew, or more than seven days before it: clocks set wrong, or timestamps in the wrong unit or
-- zone. A rate (default 0.1 % of the day's events, DAG_CHECKS overrides it): a few devices with a
-- wrong clock are reported, a feed in the wrong zone or unit blocks.

with events as (
    select event_id, event_at
    from silver.events
    where partition_date = cast($partition_date as date)
),

offending as (
    select event_id as offending_key
    from events
    where event_at >= cast(cast($partition_date as date) + 1 as timestamp) + interval '1 hour'
        or event_at < cast(cast($partition_date as date) - 7 as timestamp)
),

totals as (
    select (select count(*) from offending) as offending, (select count(*) from events) as events
)

select
    case when events = 0 then 0 else round(cast(offending as double) / events, 6) end as observed,
    cast(offending as varchar) || ' of ' || cast(events as varchar) || ' events'
        || coalesce(': ' || (select {{ str_agg(offending_key) }} from (select offending_key from offending order by offending_key limit 10) as s), '') as sample
from totals
