-- materialized: range (rows of [$from_date, $to_date] × window, replaced together)
-- gold.attribution_window_summary — the attribution-window contract, per conversion day and
-- channel, for a lookback of $window_days:
--   naive          every completed order (same orders as attribution_credits.sql), under the
--                  channel of the client's most recent session at or before the order, however old
--   attributed     those whose most recent session is within the window (boundary inclusive:
--                  exactly N × 24 h counts) — i.e. the order has at least one touch in the window
--   out_of_window  naive − attributed: the most recent session is older than the window, or the
--                  client has no session before the order at all (channel 'unattributed')
-- Orders and sessions are those attribution_credits.sql sees (the late-data lookback; a visit
-- across midnight is its landing row).
-- Ties on session_start_at: the larger session_id is the most recent (the same order as the
-- touch order of the models), so attributed per channel equals the last_touch model's credit.

with orders as (
    select * from silver.orders
    where is_completed
        and revenue is not null
        and cast(ordered_at as date) between cast($from_date as date) and cast($to_date as date)
        and partition_date <= {{ add_days(ordered_at, $late_lookback_days) }}
    qualify row_number() over (partition by order_id order by partition_date, ordered_at) = 1
),

conversions as (
    select
        order_id,
        client_id,
        ordered_at,
        cast(ordered_at as date) as conversion_date,
        cast(round(revenue * 100) as bigint) as revenue_cents
    from orders
),

latest_touch as (
    select
        c.order_id,
        c.conversion_date,
        c.revenue_cents,
        coalesce(s.channel, 'unattributed') as channel,
        s.session_id is not null
            and {{ epoch_s(c.ordered_at) }} - {{ epoch_s(s.session_start_at) }} <= cast($window_days as integer) * 86400 as is_attributed
    from conversions as c
    left join silver.sessions as s
        on s.client_id = c.client_id
        and s.session_start_at <= c.ordered_at
        and not coalesce(s.is_continuation, false)
        and s.partition_date <= {{ add_days(c.conversion_date, $late_lookback_days) }}
    qualify row_number() over (partition by c.order_id order by s.session_start_at desc, s.session_id desc) = 1
),

final as (
    select
        conversion_date,
        channel,
        cast($window_days as integer) as window_days,
        count(*) as naive_conversions,
        cast(sum(revenue_cents) as decimal(18, 0)) / 100 as naive_revenue,
        sum(case when is_attributed then 1 else 0 end) as attributed_conversions,
        cast(sum(case when is_attributed then revenue_cents else 0 end) as decimal(18, 0)) / 100 as attributed_revenue,
        sum(case when is_attributed then 0 else 1 end) as out_of_window_conversions,
        cast(sum(case when is_attributed then 0 else revenue_cents end) as decimal(18, 0)) / 100 as out_of_window_revenue
    from latest_touch
    group by conversion_date, channel
)

select
    conversion_date,
    channel,
    window_days,
    naive_conversions,
    cast(naive_revenue as decimal(18, 2)) as naive_revenue,
    attributed_conversions,
    cast(attributed_revenue as decimal(18, 2)) as attributed_revenue,
    out_of_window_conversions,
    cast(out_of_window_revenue as decimal(18, 2)) as out_of_window_revenue
from final
