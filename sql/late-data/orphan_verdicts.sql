-- The orphan_purchases verdict of the partitions AFTER this one that read its sessions (up to
-- DAG_CHECK_SESSION_LOOKBACK_DAYS later, $last_date): each one's latest recorded status beside the
-- share of its orders whose client has no session in its look-back window NOW. A day that ran
-- before this one (a backfill, a late delivery) was judged without its sessions; a re-run of this
-- one may have removed some. Where the verdict now differs, the nightly re-runs that day.
-- Keep in step with checks/orphan_purchases.sql.

with recorded as (
    select partition_date, status
    from ops.dq_results
    where stage = 'silver'
        and check_name = 'orphan_purchases'
        and partition_date > cast($partition_date as date)
        and partition_date <= cast($last_date as date)
    qualify row_number() over (partition by partition_date order by checked_at desc) = 1
),

orders as (
    select o.partition_date, o.order_id, o.client_id
    from silver.orders as o
    inner join recorded as r on r.partition_date = o.partition_date
),

judged as (
    select
        o.partition_date,
        o.order_id,
        max(case when s.client_id is null then 0 else 1 end) as has_session
    from orders as o
    left join silver.sessions as s
        on s.client_id = o.client_id
        and s.partition_date between {{ add_days(o.partition_date, 0 - $session_lookback_days) }} and o.partition_date
    group by o.partition_date, o.order_id
),

rates as (
    select partition_date, round(cast(sum(1 - has_session) as double) / count(*), 6) as observed
    from judged
    group by partition_date
)

select
    cast(r.partition_date as varchar) as partition_date,
    r.status,
    coalesce(x.observed, 0) as observed
from recorded as r
left join rates as x on x.partition_date = r.partition_date
order by 1
