-- Operational tables: what was loaded, what was refused and why. Created idempotently at
-- worker start. One row per event; nothing here is ever updated in place except by re-runs of
-- the same partition, which replace their own rows.

-- ops.load_audit: one row per landing decision (activities/ingest/audit.ts). status:
--   loaded | replaced                      the object's current bytes are in bronze (replaced: they
--                                          replaced the rows of earlier bytes of the same object)
--   duplicate_file | failed | retracted    it holds no rows: the same bytes are another date's live
--                                          object / unreadable (blocks the partition: files_failed) /
--                                          withdrawn from the landing folder (rows_loaded = rows removed)
--   skipped_same_generation | skipped_same_checksum   nothing changed since the latest load
--   kept_unlisted                          not listed, but the folder is empty: kept (archive guard)
--   ignored_invalid_name | ignored_unknown_source     reported, never loaded
-- The latest of loaded/replaced/duplicate_file/failed/retracted per (partition_date, source_key)
-- says what bronze holds for that object. run_id ties a decision to its workflow run, so a
-- retried activity finds the decision it already committed.
create table if not exists ops.load_audit (
    load_id varchar,
    partition_date date,
    source varchar,
    source_key varchar,
    source_generation varchar,
    checksum varchar,          -- sha256 of the bytes
    status varchar,
    rows_read bigint,
    rows_loaded bigint,
    rows_quarantined bigint,
    error_rate double,
    missing_columns varchar,
    extra_columns varchar,
    message varchar,
    duration_ms bigint,
    workflow_id varchar,
    loaded_at timestamp,       -- when the decision was made
    run_id varchar,
    content_md5 varchar        -- MD5 (base64) of the bytes where the store lists MD5s (GCS)
);

-- A rejected row (or a whole unreadable file: line null): `reason` is the first rule it broke,
-- `reasons` every one ('; '-separated), `raw_record` the record as read — the line itself
-- (unparsable lines, NDJSON) or a JSON object of every column of the file under its own header.
create table if not exists ops.quarantine (
    partition_date date,
    source varchar,
    source_key varchar,
    line bigint,
    reason varchar,
    reasons varchar,
    raw_record varchar,
    quarantined_at timestamp
);

-- Warehouses created before `reason` existed gain it (inserts name their columns).
alter table ops.quarantine add column if not exists reason varchar;

-- Unreadable objects a person chose to publish a day without (NightlyPipeline `acceptPartial`,
-- `dag run nightly --accept-partial`), by their bytes: one row per (day, object, checksum). Every
-- later run of the day — a person's re-run, a backfill, a re-run for late data — honours the
-- decision while the object still holds those bytes (sql/checks/files_failed.sql); other bytes, or
-- another unreadable object, block again. Recorded by the silver checks of the accepting run.
create table if not exists ops.partial_acceptances (
    partition_date date,
    source_key varchar,
    checksum varchar,          -- sha256 of the unreadable bytes (ops.load_audit.checksum)
    run_id varchar,
    accepted_at timestamp
);

-- One row per check per evaluation; `run_id` ties them to the workflow run that asked.
create table if not exists ops.dq_results (
    run_id varchar,
    partition_date date,
    stage varchar,             -- silver | gold
    check_name varchar,
    severity varchar,          -- blocking | warning
    observed double,
    threshold double,
    status varchar,            -- pass | fail | warn | not_evaluated
    sample varchar,
    description varchar,
    checked_at timestamp
);

-- A gold partition becomes visible to readers only through a row here (same transaction).
create table if not exists ops.gold_publications (
    partition_date date,
    workflow_id varchar,
    run_id varchar,
    models varchar,
    rows_published bigint,
    published_at timestamp
);

-- The outcome of every NightlyPipeline run, for backfills (`only: missing | failed-or-missing`).
create table if not exists ops.pipeline_runs (
    partition_date date,
    workflow_id varchar,
    run_id varchar,
    status varchar,            -- succeeded | blocked | failed | cancelled | terminated
    summary varchar,
    finished_at timestamp
);

-- How every workflow run of every type ended (activities/runs recordWorkflowRun): a row is
-- written as `running` when the run starts and replaced when it ends. A run that could not
-- record its end (terminated, timed out) is marked `terminated` by the next run of its workflow id.
create table if not exists ops.workflow_runs (
    workflow_type varchar,
    workflow_id varchar,
    run_id varchar,
    partition_date date,
    status varchar,            -- running | succeeded | blocked | failed | cancelled | refused | terminated
    summary varchar,           -- the run's summary, or the root cause of its failure
    started_at timestamp,
    finished_at timestamp
);
