-- check: freshness
-- stage: silver
-- severity: warning
-- threshold: 6
-- fails when: observed > threshold
-- Hours between the partition's last event and the end of its day: a feed that stopped early.
-- A day without any event reports 24.

with last_event as (
    select max(event_at) as last_event_at
    from silver.events
    where partition_date = cast($partition_date as date)
      and event_at < cast(cast($partition_date as date) + 1 as timestamp)
)

select
    coalesce(round(({{ epoch_s(cast(cast($partition_date as date) + 1 as timestamp)) }} - {{ epoch_s(last_event_at) }}) / 3600.0, 2), 24) as observed,
    cast(last_event_at as varchar) as sample
from last_event
