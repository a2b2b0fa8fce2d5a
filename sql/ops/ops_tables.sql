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
