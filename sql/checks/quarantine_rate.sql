-- check: quarantine_rate
-- stage: silver
-- severity: blocking
-- threshold: 0
-- fails when: observed > threshold
-- Sources whose share of quarantined rows (the current delivery: each object's latest load,
-- withdrawn objects left out) is above their own threshold: the contract's maxQuarantineRate
-- (ops.source_contracts), else DAG_MAX_QUARANTINE_RATE ($max_quarantine_rate). Judged per source, so a large clean feed cannot hide a broken one.

with latest as (
    select
        source,
        source_key,
        rows_read,
        rows_quarantined,
        status,
        row_number() over (partition by source_key order by loaded_at desc) as recency
    from ops.load_audit
    where partition_date = cast($partition_date as date)
        and status in ('loaded', 'replaced', 'duplicate_file', 'failed', 'retracted')
),

by_source as (
    select
        source,
        sum(rows_read) as rows_read,
        sum(rows_quarantined) as rows_quarantined
    from latest
    where recency = 1 and status in ('loaded', 'replaced')
    group by source
),

judged as (
    select
        b.source,
        b.rows_read,
        b.rows_quarantined,
        coalesce(c.max_quarantine_rate, $max_quarantine_rate) as threshold,
        case when b.rows_read > 0 then cast(b.rows_quarantined as double) / b.rows_read else 0 end as rate
    from by_source as b
    inner join ops.source_contracts as c on c.source = b.source
),

offending as (
    select
        source,
        rate - threshold as excess,
        source || ': ' || cast(rows_quarantined as varchar) || ' of ' || cast(rows_read as varchar) || ' rows ('
        || cast(cast(round(rate * 100, 1) as decimal(6, 1)) as varchar) || ' % > '
        || cast(cast(round(threshold * 100, 1) as decimal(6, 1)) as varchar) || ' %)' as offending_key
    from judged
    where rate > threshold
)

select
    (select count(*) from offending) as observed,
    (select {{ str_agg(offending_key) }} from (select offending_key from offending order by excess desc, source limit 10) as s) as sample
