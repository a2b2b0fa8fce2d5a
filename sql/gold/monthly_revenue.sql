-- materialized: table
-- Revenue by calendar month (UTC) from completed orders of every partition up to this one.

with orders as (
    select * from silver.orders
    where partition_date <= cast($partition_date as date) and is_completed
),

final as (
    select
        cast(date_trunc('month', ordered_at) as date) as month,
        count(*) as orders,
        count(distinct customer_id) as customers,
        round(sum(revenue), 2) as revenue,
        cast($reporting_currency as varchar) as currency
    from orders
    group by cast(date_trunc('month', ordered_at) as date)
)

select * from final
