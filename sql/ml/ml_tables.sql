-- Persona models, the participants they label, the labels, drift reports and approval decisions.
-- Created idempotently at worker start (lib/bootstrap.ts DDL_FILES).

-- The registry: exactly one row has status 'active' (kept so by registry.ts in one transaction).
-- model_version is unique: on DuckDB a unique index (registry.ts ensureVersionKey, also for tables
-- created before it) makes a concurrent registration of the same version fail at commit and retry.
create table if not exists ml.persona_models (
    model_version integer,
    status varchar,            -- candidate | active | retired | rejected
    source varchar,            -- vendor:<file> | retrain:<workflow id>
    features varchar,          -- comma-separated, in centroid order
    scaling_json varchar,      -- {"mean": [...], "std": [...]}
    metrics_json varchar,      -- training / comparison metrics (retrained models)
    artifact_key varchar,      -- ml/personas/v<N>.json in the object store
    reference_from date,       -- the reference window drift is measured against
    reference_to date,
    parent_version integer,
    created_at timestamp,
    activated_at timestamp,
    retired_at timestamp,
    unassigned_threshold double,  -- the model's own threshold (units of its distance); null: the default 3.5
    registered_workflow varchar,  -- the workflow run that registered it (retrain or import): a retry of that
    registered_run varchar        -- run finds its own registration instead of taking another version
);

alter table ml.persona_models add column if not exists unassigned_threshold double;
alter table ml.persona_models add column if not exists registered_workflow varchar;
alter table ml.persona_models add column if not exists registered_run varchar;

-- Every change of a model's status, with why: registered, activated, retired, rejected (by a
-- decision, a timeout, staleness, or a retrain run that ended without deciding — terminated).
create table if not exists ml.persona_model_events (
    model_version integer,
    event varchar,             -- registered | activated | retired | rejected
    reason varchar,
    workflow_id varchar,       -- the workflow that caused it, when one did
    happened_at timestamp
);

-- Centroids and scalers in wide form, so labeling is one set-based join.
create table if not exists ml.persona_centroids (
    model_version integer,
    persona_id integer,        -- position in the model; ties go to the lower id
    persona varchar,
    x1 double, x2 double, x3 double, x4 double, x5 double, x6 double, x7 double, x8 double, x9 double, x10 double
);

create table if not exists ml.persona_scaling (
    model_version integer,
    stat varchar,              -- mean | std
    x1 double, x2 double, x3 double, x4 double, x5 double, x6 double, x7 double, x8 double, x9 double, x10 double
);

create table if not exists ml.survey_participants (
    participant_id varchar,
    partition_date date,
    x1 double, x2 double, x3 double, x4 double, x5 double, x6 double, x7 double, x8 double, x9 double, x10 double,
    source_key varchar,
    loaded_at timestamp
);

create table if not exists ml.persona_labels (
    partition_date date,
    participant_id varchar,
    persona varchar,           -- the nearest persona, or 'unassigned' beyond the threshold
    nearest_persona varchar,
    distance double,           -- standardised Euclidean distance to the nearest centroid
    margin double,             -- distance to the second-nearest minus distance to the nearest
    is_unassigned boolean,
    threshold double,
    model_version integer,
    labeled_at timestamp
);

create table if not exists ml.drift_reports (
    report_id varchar,
    partition_date date,
    model_version integer,
    reference_from date,
    reference_to date,
    n_reference bigint,
    n_current bigint,
    is_drift boolean,
    reasons varchar,
    drifted_features varchar,
    drifted_feature_share double,
    unassigned_share double,
    reference_unassigned_share double,
    mean_distance_shift double,
    label_psi double,
    features_json varchar,     -- per feature: psi, ks, wasserstein_norm, means, drifted
    thresholds_json varchar,
    chart_prefix varchar,
    workflow_id varchar,
    created_at timestamp
);

create table if not exists ml.persona_decisions (
    workflow_id varchar,
    subject_version integer,
    decision varchar,          -- accept | reject | revise
    approver varchar,
    reason varchar,
    outcome varchar,           -- applied | ignored
    ignored_reason varchar,
    via varchar,               -- signal | update | timeout | auto | refused-update
    decided_at timestamp
);
-- Added with signed decisions (see ops.cleaning_audit for the meaning of each).
alter table ml.persona_decisions add column if not exists verified_approver varchar;
alter table ml.persona_decisions add column if not exists approver_key_id varchar;
alter table ml.persona_decisions add column if not exists subject_hash varchar;
alter table ml.persona_decisions add column if not exists verification varchar;
