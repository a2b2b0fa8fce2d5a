-- Operational tables: what was loaded, what was refused and why. Created idempotently at
-- worker start. One row per event; nothing here is ever updated in place except by re-runs of
-- the same partition, which replace their own rows.

create table if not exists ops.load_audit (
    load_id varchar,
    partition_date date,
    source varchar,
    source_key varchar,
    source_generation varchar,
    checksum varchar,
    status varchar,            -- loaded | skipped_same_checksum | duplicate_file | failed
    rows_read bigint,
    rows_loaded bigint,
    rows_quarantined bigint,
    error_rate double,
    missing_columns varchar,
    extra_columns varchar,
    message varchar,
    duration_ms bigint,
    workflow_id varchar,
    loaded_at timestamp
);

create table if not exists ops.quarantine (
    partition_date date,
    source varchar,
    source_key varchar,
    line bigint,
    reasons varchar,
    raw_record varchar,
    quarantined_at timestamp
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
