-- check: future_timestamps
-- stage: silver
-- severity: blocking
-- threshold: 0
-- fails when: observed > threshold
-- Events dated after the end of the partition day plus one hour of clock skew, or more than
-- seven days before it: clocks set wrong, or timestamps in the wrong unit or zone.

with offending as (
    select event_id as offending_key
    from silver.events
    where partition_date = cast($partition_date as date)
      and (event_at >= cast(cast($partition_date as date) + 1 as timestamp) + interval '1 hour'
        or event_at < cast(cast($partition_date as date) - 7 as timestamp))
)

select
    (select count(*) from offending) as observed,
    (select {{ str_agg(offending_key) }} from (select offending_key from offending order by offending_key limit 10) as s) as sample
