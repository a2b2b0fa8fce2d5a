-- check: files_failed
-- stage: silver
-- severity: blocking
-- threshold: 0
-- fails when: observed > threshold
-- Objects of the partition's current delivery that could not be read (truncated gzip, corrupt
-- or unreadable file): publishing would silently leave their rows out. The sample names each
-- object and why. Publish the rest anyway only on purpose: NightlyPipeline {"acceptPartial": true}.
-- That decision is about the bytes: an object accepted with these bytes before (ops.partial_acceptances)
-- no longer counts, so a later re-run of the day publishes as the person did.

with decisions as (
    select
        source_key,
        checksum,
        status,
        message,
        row_number() over (partition by source_key order by loaded_at desc) as recency
    from ops.load_audit
    where partition_date = cast($partition_date as date)
        and status in ('loaded', 'replaced', 'duplicate_file', 'failed', 'retracted')
),

offending as (
    select source_key || ' (' || coalesce(message, 'unreadable') || ')' as offending_key
    from decisions as d
    where recency = 1 and status = 'failed'
        and not exists (
            select 1 from ops.partial_acceptances as a
            where a.partition_date = cast($partition_date as date) and a.source_key = d.source_key and a.checksum = d.checksum
        )
)

select
    (select count(*) from offending) as observed,
    (select {{ str_agg(offending_key) }} from (select offending_key from offending order by offending_key limit 10) as s) as sample
