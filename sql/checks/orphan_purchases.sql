-- check: orphan_purchases
-- stage: silver
-- severity: blocking
-- threshold: 0
-- fails when: observed > threshold
-- Orders whose client has no web session that day: attribution and conversion rates would
-- silently lose them (or they are not web orders and should not be keyed to a web client).

with sessions as (
    select distinct client_id
    from silver.sessions
    where partition_date = cast($partition_date as date)
),

offending as (
    select o.order_id as offending_key
    from silver.orders as o
    left join sessions as s on s.client_id = o.client_id
    where o.partition_date = cast($partition_date as date) and s.client_id is null
)

select
    (select count(*) from offending) as observed,
    (select {{ str_agg(offending_key) }} from (select offending_key from offending order by offending_key limit 10) as s) as sample
