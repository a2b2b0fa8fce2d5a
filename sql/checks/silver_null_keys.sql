-- check: silver_null_keys
-- stage: silver
-- severity: blocking
-- threshold: 0
-- fails when: observed > threshold
-- Rows in silver without their identifying keys (the contracts should make this impossible).

with offending as (
    select 'event without event_id/client_id' as offending_key from silver.events
    where partition_date = cast($partition_date as date) and (event_id is null or client_id is null or client_id = '')
    union all
    select 'order without order_id/customer_id' from silver.orders
    where partition_date = cast($partition_date as date) and (order_id is null or customer_id is null)
)

select
    (select count(*) from offending) as observed,
    (select {{ str_agg(offending_key) }} from (select offending_key from offending limit 10) as s) as sample
