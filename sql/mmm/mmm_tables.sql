-- The Robyn MMM tables. Created idempotently at worker start (lib/bootstrap.ts DDL_FILES) and by
-- the MMM activities before they write.

-- Weekly paid-media spend per market, with the context and organic variables the model uses.
-- The demo rows are written by generateAdSpend (generator/ad-spend.ts, spend follows the paid
-- sessions in gold.channel_daily); a real spend connector would load the same columns.
-- Replaced per (country, week range): a re-run never appends.
create table if not exists mmm.ad_spend (
    week_start date,                 -- Monday of the ISO week
    country varchar,
    paid_search_spend double,
    paid_social_spend double,
    display_spend double,
    paid_search_clicks bigint,       -- exposure metrics, one per spend column
    paid_social_impressions bigint,
    display_impressions bigint,
    competitor_index double,         -- context: a competitor's weekly sales index
    is_promo_week integer,           -- context: 1 in the shop's sale weeks
    newsletter_sends bigint,         -- organic: e-mails sent that week
    generated_at timestamp
);

-- One row per RobynMmm run (also failed and cancelled ones), keyed by run_id.
create table if not exists mmm.runs (
    run_id varchar,                  -- the Temporal run id; the run folder is mmm/runs/<run_id>/
    workflow_id varchar,
    country varchar,
    status varchar,                  -- succeeded | failed | cancelled | timed_out
    source varchar,                  -- gold | table:<schema.table> | csv:<object key>
    period_from date,
    period_to date,
    weeks integer,
    iterations integer,
    trials integer,
    launcher varchar,                -- local | docker | cloudrun
    job_id varchar,
    run_uri varchar,                 -- the run folder (input.csv, config.json, output/)
    chosen_model varchar,            -- Robyn solID
    nrmse double,
    decomp_rssd double,
    mape double,
    candidate_models integer,
    pareto_models integer,
    robyn_version varchar,
    elapsed_seconds double,
    message varchar,
    finished_at timestamp
);

-- The chosen model's result per paid channel (Robyn's ROI / contribution).
create table if not exists mmm.channel_results (
    run_id varchar,
    channel varchar,
    spend double,
    effect double,                   -- total decomposed contribution in the window
    roi double,
    cpa double,
    spend_share double,
    effect_share double
);
