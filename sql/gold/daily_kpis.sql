-- materialized: partition
-- One row per day: sessions, users, conversions (completed orders), revenue, average order
-- value and conversion rate (sessions with a purchase / sessions). Money is in the reporting
-- currency (`currency`, DAG_REPORTING_CURRENCY). Orders count on the day their file was delivered
-- ("as delivered"); attribution counts them on their own date (sql/attribution/).

with sessions as (
    select * from silver.sessions
    where partition_date = cast($partition_date as date)
),

orders as (
    select * from silver.orders
    where partition_date = cast($partition_date as date) and is_completed
),

session_totals as (
    select
        count(*) as sessions,
        count(distinct client_id) as users,
        sum(case when has_purchase then 1 else 0 end) as converting_sessions
    from sessions
),

order_totals as (
    select
        count(*) as conversions,
        coalesce(sum(revenue), 0) as revenue
    from orders
),

final as (
    select
        cast($partition_date as date) as partition_date,
        s.sessions,
        s.users,
        o.conversions,
        round(o.revenue, 2) as revenue,
        case when o.conversions > 0 then round(o.revenue / o.conversions, 2) end as average_order_value,
        case when s.sessions > 0 then round(cast(s.converting_sessions as double) / s.sessions, 4) end as conversion_rate,
        cast($reporting_currency as varchar) as currency
    from session_totals as s
    cross join order_totals as o
)

select * from final
