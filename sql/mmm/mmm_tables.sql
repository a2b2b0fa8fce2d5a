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
    finished_at timestamp,
    rsq_train double,                -- the chosen model's adjusted R² on the train / validation / test weeks
    rsq_val double,
    rsq_test double,
    nrmse_train double,              -- and its NRMSE on each split (nrmse above is one of them:)
    nrmse_val double,
    nrmse_test double,
    nrmse_selection varchar,         -- which NRMSE the search and the Pareto fronts used (nrmse_val)
    effect_share_denominator varchar, -- what mmm.channel_results.effect_share is a share of
    cancelled_by varchar,            -- a cancelled run: the identity of the client that asked
    cancelled_at timestamp           -- and when the server received the request
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
    effect_share double,             -- share of the paid-media channels' total effect (see mmm.runs.effect_share_denominator)
    response_share double            -- share of the total decomposed response (robynpy's xDecompPerc)
);

-- Tables created before these columns existed get them here (idempotent).
alter table mmm.runs add column if not exists rsq_train double;
alter table mmm.runs add column if not exists rsq_val double;
alter table mmm.runs add column if not exists rsq_test double;
alter table mmm.runs add column if not exists nrmse_train double;
alter table mmm.runs add column if not exists nrmse_val double;
alter table mmm.runs add column if not exists nrmse_test double;
alter table mmm.runs add column if not exists nrmse_selection varchar;
alter table mmm.runs add column if not exists effect_share_denominator varchar;
alter table mmm.runs add column if not exists cancelled_by varchar;
alter table mmm.runs add column if not exists cancelled_at timestamp;
alter table mmm.channel_results add column if not exists response_share double;
