-- check: quarantine_rate
-- stage: silver
-- severity: blocking
-- threshold: 0.05
-- fails when: observed > threshold
-- Share of the partition's raw rows the contracts quarantined (latest load of each file).
-- Above the threshold the day is too incomplete to publish. Threshold: DAG_MAX_QUARANTINE_RATE.

with latest as (
    select
        source_key,
        rows_read,
        rows_quarantined,
        row_number() over (partition by source_key order by loaded_at desc) as recency
    from ops.load_audit
    where partition_date = cast($partition_date as date) and status = 'loaded'
),

totals as (
    select sum(rows_read) as rows_read, sum(rows_quarantined) as rows_quarantined
    from latest
    where recency = 1
)

select
    case when rows_read > 0 then round(cast(rows_quarantined as double) / rows_read, 6) else 0 end as observed,
    cast(rows_quarantined as varchar) || ' of ' || cast(rows_read as varchar) || ' rows' as sample
from totals
