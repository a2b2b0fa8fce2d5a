-- A run that accepts partial data (NightlyPipeline `acceptPartial`) records the day's unreadable
-- objects, at their current bytes, as accepted (ops.partial_acceptances; see ops_tables.sql).
-- Idempotent: an object already accepted with these bytes is not recorded again.

insert into ops.partial_acceptances (partition_date, source_key, checksum, run_id, accepted_at)
select cast($partition_date as date), d.source_key, d.checksum, $run_id, cast($now as timestamp)
from (
    select
        source_key,
        checksum,
        status,
        row_number() over (partition by source_key order by loaded_at desc) as recency
    from ops.load_audit
    where partition_date = cast($partition_date as date)
        and status in ('loaded', 'replaced', 'duplicate_file', 'failed', 'retracted')
) as d
where d.recency = 1 and d.status = 'failed' and d.checksum is not null
    and not exists (
        select 1 from ops.partial_acceptances as a
        where a.partition_date = cast($partition_date as date) and a.source_key = d.source_key and a.checksum = d.checksum
    )
