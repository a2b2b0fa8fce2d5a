-- materialized: partition
-- Channel performance per day (channel of the session's landing hit, see silver/sessions.sql):
-- sessions, users, converting sessions, purchase revenue (reporting currency) and conversion rate.
-- A visit that crossed midnight counts on both days, each with its own events (the later day's
-- part keeps the landing channel: silver/sessions.sql).

with sessions as (
    select * from silver.sessions
    where partition_date = cast($partition_date as date)
),

final as (
    select
        cast($partition_date as date) as partition_date,
        channel,
        count(*) as sessions,
        count(distinct client_id) as users,
        sum(case when has_purchase then 1 else 0 end) as conversions,
        round(sum(revenue), 2) as revenue,
        round(cast(sum(case when has_purchase then 1 else 0 end) as double) / count(*), 4) as conversion_rate,
        cast($reporting_currency as varchar) as currency
    from sessions
    group by channel
)

select * from final
