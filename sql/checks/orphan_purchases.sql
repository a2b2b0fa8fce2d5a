-- check: orphan_purchases
-- stage: silver
-- severity: blocking
-- threshold: 0.01
-- fails when: observed > threshold
-- Share of the day's orders whose client had no web session in the DAG_CHECK_SESSION_LOOKBACK_DAYS days up
-- to and including the day (default 30; the boundary day counts):
-- attribution and conversion rates would silently lose them. Buyers come back days after a visit
-- and real stores take some phone or app orders, so the check looks back over a window and blocks
-- on a RATE of the day's orders (default 1 %, DAG_CHECKS overrides it), not on one order. Sessions
-- of later partitions never count, so the verdict does not depend on what arrived after the day.

with orders as (
    select order_id, client_id
    from silver.orders
    where partition_date = cast($partition_date as date)
),

offending as (
    select o.order_id as offending_key
    from orders as o
    where not exists (
        select 1
        from silver.sessions as s
        where s.client_id = o.client_id
            and s.partition_date between cast($session_lookback_start as date) and cast($partition_date as date)
    )
),

totals as (
    select (select count(*) from offending) as offending, (select count(*) from orders) as orders
)

select
    case when orders = 0 then 0 else round(cast(offending as double) / orders, 6) end as observed,
    cast(offending as varchar) || ' of ' || cast(orders as varchar) || ' orders'
        || coalesce(': ' || (select {{ str_agg(offending_key) }} from (select offending_key from offending order by offending_key limit 10) as s), '') as sample
from totals
