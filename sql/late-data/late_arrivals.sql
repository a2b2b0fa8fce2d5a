-- What a partition's files brought for EARLIER days: completed orders dated before it, sessions
-- (late events) that started before it, and exchange rates for earlier days. One row per kind,
-- day (and currency for rates).

select 'order' as kind, cast(ordered_at as date) as fact_date, cast(null as varchar) as currency, count(*) as facts
from silver.orders
where partition_date = cast($partition_date as date) and is_completed and cast(ordered_at as date) < cast($partition_date as date)
group by cast(ordered_at as date)

union all

select 'session', cast(session_start_at as date), cast(null as varchar), count(*)
from silver.sessions
where partition_date = cast($partition_date as date)
    and not coalesce(is_continuation, false)
    and cast(session_start_at as date) < cast($partition_date as date)
group by cast(session_start_at as date)

union all

select 'fx_rate', rate_date, currency, count(*)
from silver.fx_rates
where delivered_on = cast($partition_date as date) and rate_date < cast($partition_date as date)
group by rate_date, currency
