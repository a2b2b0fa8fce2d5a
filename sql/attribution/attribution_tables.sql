-- The attribution outputs. Created idempotently by the attribution activity before it writes.
-- Both are keyed by (conversion_date, channel, window_days[, model]) and replaced per
-- (date range, window[, model]) in one transaction, so a re-run never appends.
-- Gold changes only after checks: the run is first staged (staging.attribution_*), its
-- invariants are checked (attribution_invariants.sql + reconciliation of the two outputs), and
-- only then are both tables swapped in. These files live in sql/attribution/, not sql/gold/,
-- because the nightly builds and publishes every file of sql/gold per partition, whereas
-- attribution is a range computation run after the nightly's publish (the Attribution workflow).
-- Revenue is in the reporting currency (DAG_REPORTING_CURRENCY; silver converts it).
-- gold.attribution is also keyed by the settings that produced it (half-life, position weights):
-- a manual run with other settings writes its own rows beside the defaults' (issue #14).

create table if not exists gold.attribution (
    conversion_date date,
    channel varchar,
    model varchar,                          -- first_touch | last_touch | last_non_direct | linear | time_decay | position_based
    window_days integer,
    conversions_credited decimal(18, 6),    -- exact: each conversion's shares sum to 1.000000
    revenue_credited decimal(18, 2),        -- exact: each conversion's shares sum to its revenue
    touches bigint,                         -- touches that received credit (conversions for 'unattributed')
    half_life_days double,                  -- the run's time-decay half-life
    first_weight double,                    -- the run's position-based weights (first, last; the middle shares the rest)
    last_weight double,
    currency varchar                        -- the reporting currency of revenue_credited
);

-- Added after the first release: rows written before have NULL settings and are replaced by the
-- next run of their range and window, whatever its settings.
alter table gold.attribution add column if not exists half_life_days double;
alter table gold.attribution add column if not exists first_weight double;
alter table gold.attribution add column if not exists last_weight double;
alter table gold.attribution add column if not exists currency varchar;

create table if not exists gold.attribution_window_summary (
    conversion_date date,
    channel varchar,
    window_days integer,
    naive_conversions bigint,
    naive_revenue decimal(18, 2),
    attributed_conversions bigint,
    attributed_revenue decimal(18, 2),
    out_of_window_conversions bigint,
    out_of_window_revenue decimal(18, 2)
);
