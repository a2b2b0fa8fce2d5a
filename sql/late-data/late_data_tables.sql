-- Tables of the late-data machinery (issue #14). Created idempotently at worker start.

-- What each nightly found of earlier dates in its partition (late orders, late visits, late FX
-- rates), replaced per partition on every run: a re-run that no longer has a late fact still knows
-- which earlier date it touched before, so that date is re-attributed without it.
create table if not exists ops.late_arrivals (
    partition_date date,       -- the partition whose files brought them
    kind varchar,              -- order | session | fx_rate
    fact_date date,            -- the earlier day they belong to
    currency varchar,          -- fx_rate: the currency; otherwise NULL
    facts bigint,
    recorded_at timestamp
);

-- One row every gold publication updates first, inside its transaction: two publications at once
-- then conflict (DuckDB) or queue (Snowflake), so the newest-only guard of whole-table marts is
-- read after the other lane's publication committed, never beside it.
create table if not exists ops.publication_lock (
    lock_id integer,
    last_partition_date date,
    locked_at timestamp
);

insert into ops.publication_lock (lock_id) select 1 where not exists (select 1 from ops.publication_lock);
