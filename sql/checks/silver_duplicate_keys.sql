-- check: silver_duplicate_keys
-- stage: silver
-- severity: blocking
-- threshold: 0
-- fails when: observed > threshold
-- Keys that must be unique in silver (event_id, session_id, order_id, order_id+line_no).
-- Silver deduplicates, so anything here is a modelling bug.

with offending as (
    select 'event ' || event_id as offending_key from silver.events
    where partition_date = cast($partition_date as date) group by event_id having count(*) > 1
    union all
    select 'session ' || session_id from silver.sessions
    where partition_date = cast($partition_date as date) group by session_id having count(*) > 1
    union all
    select 'order ' || order_id from silver.orders
    where partition_date = cast($partition_date as date) group by order_id having count(*) > 1
    union all
    select 'order line ' || order_id || '/' || cast(line_no as varchar) from silver.order_items
    where partition_date = cast($partition_date as date) group by order_id, line_no having count(*) > 1
)

select
    (select count(*) from offending) as observed,
    (select {{ str_agg(offending_key) }} from (select offending_key from offending order by offending_key limit 10) as s) as sample
