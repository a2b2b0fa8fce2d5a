-- check: duplicate_events_in_bronze
-- stage: silver
-- severity: warning
-- threshold: 0
-- fails when: observed > threshold
-- Event ids delivered more than once. Silver keeps the first occurrence, so this warns about the
-- source rather than blocking.

with offending as (
    select event_id as offending_key
    from bronze.events
    where _partition_date = cast($partition_date as date)
    group by event_id
    having count(*) > 1
)

select
    (select count(*) from offending) as observed,
    (select {{ str_agg(offending_key) }} from (select offending_key from offending order by offending_key limit 10) as s) as sample
