-- check: negative_revenue
-- stage: silver
-- severity: blocking
-- threshold: 0
-- fails when: observed > threshold
-- Orders with negative revenue: refunds booked as sales, or sign errors upstream.

with offending as (
    select order_id as offending_key
    from silver.orders
    where partition_date = cast($partition_date as date) and revenue < 0
)

select
    (select count(*) from offending) as observed,
    (select {{ str_agg(offending_key) }} from (select offending_key from offending order by offending_key limit 10) as s) as sample
