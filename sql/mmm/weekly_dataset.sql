-- The MMM dataset from the warehouse: weekly revenue from published gold plus the country's
-- paid-media spend, exposure, context and organic variables from mmm.ad_spend. A week is
-- kept when either side has it, so a week missing on one side shows up as a gap or a missing
-- value in validation instead of silently disappearing.

with kpi_days as (
    select * from gold.daily_kpis
    where partition_date between cast($from_date as date) and cast($to_date as date)
),

weekly_revenue as (
    select
        cast({{ date_trunc_week(partition_date) }} as date) as week_start,
        sum(revenue) as revenue,
        count(*) as days
    from kpi_days
    group by 1
),

spend as (
    select * from mmm.ad_spend
    where country = $country and week_start between cast($from_date as date) and cast($to_date as date)
),

final as (
    select
        cast(coalesce(r.week_start, s.week_start) as varchar) as week_start,
        round(r.revenue, 2) as revenue,
        r.days as kpi_days,
        s.paid_search_spend,
        s.paid_social_spend,
        s.display_spend,
        s.paid_search_clicks,
        s.paid_social_impressions,
        s.display_impressions,
        s.competitor_index,
        s.is_promo_week,
        s.newsletter_sends
    from weekly_revenue as r
    full outer join spend as s on s.week_start = r.week_start
)

select * from final
order by week_start
