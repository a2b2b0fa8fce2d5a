-- materialized: table
-- RFM per customer as of the partition date, from completed orders up to it:
--   recency_days  days from the last order to the partition date
--   frequency     number of orders;  monetary  total revenue
-- Scores 1..5 (5 = best); equal values always get equal scores:
--   R, M  quintile of the value's cumulative distribution: ceil(5 × cume_dist)
--   F     fixed buckets, because order counts are heavily tied (most customers order once):
--         1 order → 1, 2 → 2, 3 → 3, 4–5 → 4, 6+ → 5
-- Segments: champions (R≥4, F≥3) · loyal (F≥3) · new (R≥4, one order) · at_risk (R≤2, F≥2)
--           · hibernating (R≤2) · promising (everyone else).

with orders as (
    select * from silver.orders
    where partition_date <= cast($partition_date as date) and is_completed
),

per_customer as (
    select
        customer_id,
        {{ days_between(max(ordered_at), $partition_date) }} as recency_days,
        count(*) as frequency,
        round(sum(revenue), 2) as monetary
    from orders
    group by customer_id
),

scored as (
    select
        *,
        cast(ceil(5 * cume_dist() over (order by recency_days desc)) as integer) as r_score,
        case when frequency >= 6 then 5 when frequency >= 4 then 4 else frequency end as f_score,
        cast(ceil(5 * cume_dist() over (order by monetary)) as integer) as m_score
    from per_customer
),

final as (
    select
        *,
        case
            when r_score >= 4 and f_score >= 3 then 'champions'
            when f_score >= 3 then 'loyal'
            when r_score >= 4 and frequency = 1 then 'new'
            when r_score <= 2 and f_score >= 2 then 'at_risk'
            when r_score <= 2 then 'hibernating'
            else 'promising'
        end as segment,
        cast($partition_date as date) as as_of_date,
        cast($reporting_currency as varchar) as currency
    from scored
)

select * from final
