-- check: negative_revenue
-- stage: silver
-- severity: blocking
-- threshold: 0.001
-- fails when: observed > threshold
-- Share of the day's orders with negative revenue: refunds booked as sales, or sign errors
-- upstream. A rate (default 0.1 % of the day's orders, DAG_CHECKS overrides it): one stray
-- refund in a big day is reported, a sign error in a feed blocks.

with orders as (
    select order_id, revenue
    from silver.orders
    where partition_date = cast($partition_date as date)
),

offending as (
    select order_id as offending_key from orders where revenue < 0
),

totals as (
    select (select count(*) from offending) as offending, (select count(*) from orders) as orders
)

select
    case when orders = 0 then 0 else round(cast(offending as double) / orders, 6) end as observed,
    cast(offending as varchar) || ' of ' || cast(orders as varchar) || ' orders'
        || coalesce(': ' || (select {{ str_agg(offending_key) }} from (select offending_key from offending order by offending_key limit 10) as s), '') as sample
from totals
