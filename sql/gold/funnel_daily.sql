-- materialized: partition
-- The purchase funnel per day: sessions reaching page_view → add_to_cart → checkout → purchase
-- (a session reaches a step when it has an event of that type), with step conversion rates.

with sessions as (
    select * from silver.sessions
    where partition_date = cast($partition_date as date)
),

counts as (
    select
        sum(case when pageviews > 0 then 1 else 0 end) as page_view,
        sum(case when has_add_to_cart then 1 else 0 end) as add_to_cart,
        sum(case when has_checkout then 1 else 0 end) as checkout,
        sum(case when has_purchase then 1 else 0 end) as purchase
    from sessions
),

steps as (
    select 1 as step_order, 'page_view' as step, coalesce(page_view, 0) as sessions from counts
    union all
    select 2, 'add_to_cart', coalesce(add_to_cart, 0) from counts
    union all
    select 3, 'checkout', coalesce(checkout, 0) from counts
    union all
    select 4, 'purchase', coalesce(purchase, 0) from counts
),

rated as (
    select
        cast($partition_date as date) as partition_date,
        step_order,
        step,
        sessions,
        lag(sessions) over (order by step_order) as previous_sessions,
        first_value(sessions) over (order by step_order) as first_sessions
    from steps
),

final as (
    select
        partition_date,
        step_order,
        step,
        sessions,
        case when previous_sessions > 0 then round(cast(sessions as double) / previous_sessions, 4) end as rate_from_previous,
        case when first_sessions > 0 then round(cast(sessions as double) / first_sessions, 4) end as rate_from_start
    from rated
)

select * from final
