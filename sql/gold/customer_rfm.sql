-- materialized: table
-- RFM per customer as of the partition date, from completed orders up to it:
--   recency_days  days from the last order to the partition date
--   frequency     number of orders;  monetary  total revenue
-- Scores are quintiles 1..5 (5 = best; ties broken by customer_id so scores are stable).
-- Segments: champions (R≥4, F≥4) · loyal (F≥4) · new (R≥4, one order) · at_risk (R≤2, F≥3)
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
        ntile(5) over (order by recency_days desc, customer_id) as r_score,
        ntile(5) over (order by frequency, customer_id) as f_score,
        ntile(5) over (order by monetary, customer_id) as m_score
    from per_customer
),

final as (
    select
        *,
        case
            when r_score >= 4 and f_score >= 4 then 'champions'
            when f_score >= 4 then 'loyal'
            when r_score >= 4 and frequency = 1 then 'new'
            when r_score <= 2 and f_score >= 3 then 'at_risk'
            when r_score <= 2 then 'hibernating'
            else 'promising'
        end as segment,
        cast($partition_date as date) as as_of_date
    from scored
)

select * from final
