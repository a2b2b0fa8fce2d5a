-- The attribution outputs. Created idempotently by the attribution activity before it writes.
-- Both are keyed by (conversion_date, channel, window_days[, model]) and replaced per
-- (date range, window[, model]) in one transaction, so a re-run never appends.
-- Gold changes only after checks: the run is first staged (staging.attribution_*), its
-- invariants are checked (attribution_invariants.sql + reconciliation of the two outputs), and
-- only then are both tables swapped in. These files live in sql/attribution/, not sql/gold/,
-- because the nightly builds and publishes every file of sql/gold per partition, whereas
-- attribution is a range computation run after the nightly's publish (the Attribution workflow).
-- Revenue is in the order's currency, summed as the other gold marts do (the demo shop is EUR only).

create table if not exists gold.attribution (
    conversion_date date,
    channel varchar,
    model varchar,                          -- first_touch | last_touch | last_non_direct | linear | time_decay | position_based
    window_days integer,
    conversions_credited decimal(18, 6),    -- exact: each conversion's shares sum to 1.000000
    revenue_credited decimal(18, 2),        -- exact: each conversion's shares sum to its revenue
    touches bigint                          -- touches that received credit (conversions for 'unattributed')
);

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
