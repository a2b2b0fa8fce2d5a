-- Sessions per week and channel from published gold, the traffic the demo spend follows.
-- Weeks are ISO weeks (Monday start) of gold.channel_daily between $from_date and $to_date.

with channel_days as (
    select * from gold.channel_daily
    where partition_date between cast($from_date as date) and cast($to_date as date)
),

final as (
    select
        cast({{ date_trunc_week(partition_date) }} as date) as week_start,
        channel,
        sum(sessions) as sessions
    from channel_days
    group by 1, 2
)

select cast(week_start as varchar) as week_start, channel, sessions from final
order by week_start, channel
