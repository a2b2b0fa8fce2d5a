-- materialized: range (built by activities/attribution into staging, checked, then swapped into gold)
-- Multi-touch credit of every completed order whose ordered_at (UTC) falls on a day in
-- [$from_date, $to_date]: one row per (conversion, touch), with the credit of all six models.
--
-- Late data: a conversion day sees only what was delivered at most $late_lookback_days after it
-- (DAG_LATE_DATA_LOOKBACK_DAYS, default 7) — orders and sessions of later partitions never count —
-- so its credit is the same whenever it is computed, and the nightly that delivers a late fact
-- re-runs the days it belongs to (workflows/shared/late-data.ts).
--
-- Touches: sessions (silver.sessions, partitions up to the day + the lookback) of the converting
-- client that started at or before the order and at most $window_days × 24 h before it. A visit
-- that crossed midnight is one touch: its landing row (continuation rows are left out). The boundary is INCLUSIVE: a
-- session exactly N days before the purchase is a touch; one second earlier is not. A session
-- starting at the very second of the order counts; sessions after the order never do.
-- Touch order: session_start_at, then session_id (deterministic tie-break for equal timestamps).
--
-- Edge cases:
--   one touch                    every model gives it 100 %
--   no touch in the window       one row with channel 'unattributed' that takes 100 % in every
--                                model, so totals always reconcile with the orders
--   conversion before any session of the client: same as no touch ('unattributed')
--   equal timestamps             ordered by session_id, so "first" and "last" are stable
--   orders repeated across partitions: counted once (earliest partition wins)
--
-- Models (weights per touch before normalisation):
--   first_touch      1 for the first touch
--   last_touch       1 for the last touch
--   last_non_direct  1 for the last touch whose channel is not 'direct'; all touches direct → the last
--   linear           1 / touches
--   time_decay       0.5 ^ (days between the touch and the order / $half_life_days), relative to
--                    the newest touch (so weights never all underflow to 0), normalised
--   position_based   $first_weight first, $last_weight last, the rest shared equally by the
--                    middle touches; two touches split first:last in that ratio; one touch 100 %
--
-- Exact totals: each share is turned into integer cents (and micro-conversions, 1e-6) by
-- cumulative rounding: touch i gets round(R_i × total) − round(R_{i−1} × total), where R_i is the
-- running share up to touch i and R_n = 1 exactly. The shares telescope to exactly the
-- conversion's revenue and to exactly 1 conversion, and each is within one cent of its exact value.

with orders as (
    -- An order whose money could not be converted (no FX rate yet: its partition is blocked by
    -- fx_rates_missing) is left out until the rate arrives and its partition is re-run.
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

sessions as (
    select session_id, client_id, session_start_at, channel, partition_date
    from silver.sessions
    where session_start_at >= cast(cast($from_date as date) - cast($window_days as integer) as timestamp)
        and not coalesce(is_continuation, false)
),

touches as (
    -- Conditions in WHERE (not a left join's ON), so the join stays a hash join on client_id.
    select
        c.order_id,
        c.conversion_date,
        c.revenue_cents,
        s.channel,
        s.session_id,
        {{ epoch_s(c.ordered_at) }} - {{ epoch_s(s.session_start_at) }} as seconds_before
    from conversions as c
    inner join sessions as s on s.client_id = c.client_id
    where s.session_start_at <= c.ordered_at
        and {{ epoch_s(c.ordered_at) }} - {{ epoch_s(s.session_start_at) }} <= cast($window_days as integer) * 86400
        and s.partition_date <= {{ add_days(c.conversion_date, $late_lookback_days) }}
),

journeys as (
    select * from touches
    union all
    -- No touch in the window: one 'unattributed' row takes the whole credit.
    select c.order_id, c.conversion_date, c.revenue_cents, 'unattributed' as channel, null as session_id, 0 as seconds_before
    from conversions as c
    where not exists (select 1 from touches as t where t.order_id = c.order_id)
),

ordered as (
    select
        *,
        row_number() over (partition by order_id order by seconds_before desc, session_id) as touch_index,
        count(*) over (partition by order_id) as touch_count,
        min(seconds_before) over (partition by order_id) as newest_seconds_before
    from journeys
),

weighted as (
    select
        *,
        case when touch_index = 1 then 1.0e0 else 0.0e0 end as w_first_touch,
        case when touch_index = touch_count then 1.0e0 else 0.0e0 end as w_last_touch,
        case when touch_index = coalesce(max(case when channel <> 'direct' then touch_index end) over (partition by order_id), touch_count)
            then 1.0e0 else 0.0e0 end as w_last_non_direct,
        1.0e0 / touch_count as w_linear,
        power(0.5e0, (seconds_before - newest_seconds_before) / (cast($half_life_days as double) * 86400)) as w_time_decay,
        case
            when touch_count = 1 then 1.0e0
            when touch_count = 2 and touch_index = 1 then cast($first_weight as double) / (cast($first_weight as double) + cast($last_weight as double))
            when touch_count = 2 then cast($last_weight as double) / (cast($first_weight as double) + cast($last_weight as double))
            when touch_index = 1 then cast($first_weight as double)
            when touch_index = touch_count then cast($last_weight as double)
            else (1.0e0 - cast($first_weight as double) - cast($last_weight as double)) / (touch_count - 2)
        end as w_position_based
    from ordered
),

running as (
    select
        order_id, conversion_date, revenue_cents, channel, session_id, touch_index, touch_count,
        sum(w_first_touch) over journey as r_first_touch,
        sum(w_last_touch) over journey as r_last_touch,
        sum(w_last_non_direct) over journey as r_last_non_direct,
        sum(w_linear) over journey as r_linear,
        sum(w_time_decay) over journey / sum(w_time_decay) over (partition by order_id) as r_time_decay,
        sum(w_position_based) over journey as r_position_based
    from weighted
    window journey as (partition by order_id order by touch_index rows between unbounded preceding and current row)
),

rounded as (
    -- Running totals in integer units; the last touch is pinned to the whole.
    select
        order_id, conversion_date, revenue_cents, channel, session_id, touch_index, touch_count,
        case when touch_index = touch_count then 1000000 else cast(round(r_first_touch * 1000000) as bigint) end as u_first_touch,
        case when touch_index = touch_count then 1000000 else cast(round(r_last_touch * 1000000) as bigint) end as u_last_touch,
        case when touch_index = touch_count then 1000000 else cast(round(r_last_non_direct * 1000000) as bigint) end as u_last_non_direct,
        case when touch_index = touch_count then 1000000 else cast(round(r_linear * 1000000) as bigint) end as u_linear,
        case when touch_index = touch_count then 1000000 else cast(round(r_time_decay * 1000000) as bigint) end as u_time_decay,
        case when touch_index = touch_count then 1000000 else cast(round(r_position_based * 1000000) as bigint) end as u_position_based,
        case when touch_index = touch_count then revenue_cents else cast(round(r_first_touch * revenue_cents) as bigint) end as c_first_touch,
        case when touch_index = touch_count then revenue_cents else cast(round(r_last_touch * revenue_cents) as bigint) end as c_last_touch,
        case when touch_index = touch_count then revenue_cents else cast(round(r_last_non_direct * revenue_cents) as bigint) end as c_last_non_direct,
        case when touch_index = touch_count then revenue_cents else cast(round(r_linear * revenue_cents) as bigint) end as c_linear,
        case when touch_index = touch_count then revenue_cents else cast(round(r_time_decay * revenue_cents) as bigint) end as c_time_decay,
        case when touch_index = touch_count then revenue_cents else cast(round(r_position_based * revenue_cents) as bigint) end as c_position_based
    from running
),

credited as (
    -- Each touch's share = its running total minus the previous touch's.
    select
        order_id, conversion_date, revenue_cents, channel, session_id, touch_index, touch_count,
        u_first_touch - coalesce(lag(u_first_touch) over journey, 0) as first_touch_units,
        u_last_touch - coalesce(lag(u_last_touch) over journey, 0) as last_touch_units,
        u_last_non_direct - coalesce(lag(u_last_non_direct) over journey, 0) as last_non_direct_units,
        u_linear - coalesce(lag(u_linear) over journey, 0) as linear_units,
        u_time_decay - coalesce(lag(u_time_decay) over journey, 0) as time_decay_units,
        u_position_based - coalesce(lag(u_position_based) over journey, 0) as position_based_units,
        c_first_touch - coalesce(lag(c_first_touch) over journey, 0) as first_touch_cents,
        c_last_touch - coalesce(lag(c_last_touch) over journey, 0) as last_touch_cents,
        c_last_non_direct - coalesce(lag(c_last_non_direct) over journey, 0) as last_non_direct_cents,
        c_linear - coalesce(lag(c_linear) over journey, 0) as linear_cents,
        c_time_decay - coalesce(lag(c_time_decay) over journey, 0) as time_decay_cents,
        c_position_based - coalesce(lag(c_position_based) over journey, 0) as position_based_cents
    from rounded
    window journey as (partition by order_id order by touch_index)
)

select * from credited
