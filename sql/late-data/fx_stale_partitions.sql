-- Partitions of the late-data lookback around this one ([$first_date, $last_date], itself excluded)
-- whose money no longer matches the exchange rates visible to them now — a rate that arrived late
-- (they were blocked by fx_rates_missing) or was corrected, or, for a LATER partition that ran
-- before this one, a rate of this delivery it could not see then (for its late orders). Visible
-- to partition P: the latest delivery of a (day, currency) among the partitions up to P + the
-- late-data lookback, as silver computes it.

with partitions as (
    select partition_date from silver.orders
    where partition_date between cast($first_date as date) and cast($last_date as date) and partition_date <> cast($partition_date as date)
    union
    select partition_date from silver.events
    where partition_date between cast($first_date as date) and cast($last_date as date) and partition_date <> cast($partition_date as date)
),

visible as (
    select p.partition_date, r.rate_date, r.currency, r.rate_to_reporting
    from partitions as p
    inner join silver.fx_rates as r on r.delivered_on <= {{ add_days(p.partition_date, $late_lookback_days) }}
    qualify row_number() over (partition by p.partition_date, r.rate_date, r.currency order by r.delivered_on desc) = 1
),

stale_orders as (
    select o.partition_date
    from silver.orders as o
    left join visible as v
        on v.partition_date = o.partition_date and v.rate_date = cast(o.ordered_at as date) and v.currency = o.currency
    where o.partition_date in (select partition_date from partitions)
        and o.original_revenue is not null
        and o.currency <> $reporting_currency
        and (
            (o.revenue is null) <> (v.rate_to_reporting is null)
            or (o.revenue is not null and v.rate_to_reporting is not null and o.revenue <> round(o.original_revenue * v.rate_to_reporting, 2))
        )
),

stale_events as (
    select e.partition_date
    from silver.events as e
    left join visible as v
        on v.partition_date = e.partition_date and v.rate_date = cast(e.event_at as date) and v.currency = e.currency
    where e.partition_date in (select partition_date from partitions)
        and e.original_revenue is not null
        and e.currency is not null
        and e.currency <> $reporting_currency
        and (
            (e.revenue is null) <> (v.rate_to_reporting is null)
            or (e.revenue is not null and v.rate_to_reporting is not null and e.revenue <> round(e.original_revenue * v.rate_to_reporting, 2))
        )
)

select distinct cast(partition_date as varchar) as partition_date
from (select partition_date from stale_orders union all select partition_date from stale_events) as s
order by 1
