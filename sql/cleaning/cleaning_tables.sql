-- Cleaning reviews: every plan version, verdict, decision and applied operation (one row each),
-- and the rows a `quarantine_flagged_rows` operation took out of silver (as JSON, restorable).

create table if not exists ops.cleaning_audit (
    workflow_id varchar,
    partition_date date,
    plan_version integer,
    kind varchar,              -- plan | dry_run | verdict | decision | applied_operation | outcome
    actor varchar,             -- planner/judge backend, approver, or system:*
    detail varchar,            -- one readable line
    payload varchar,           -- the JSON of the plan, verdict, decision or operation
    recorded_at timestamp
);

-- A review started again for the same date reuses the workflow id `cleaning-<date>` and counts
-- plan versions from 1 again: the run id tells the reviews apart (added after the first release).
alter table ops.cleaning_audit add column if not exists run_id varchar;

-- Decisions (added with signed decisions): who the signature proves, with which key, over which
-- plan (sha256 of the plan, dry run and verdict shown), and how the check went — `verified`,
-- `unsigned (DAG_ALLOW_UNSIGNED_DECISIONS)`, `failed: bad signature`, `not checked` (refused
-- earlier, e.g. a stale version), `system` (the timeout). Null on non-decision rows.
alter table ops.cleaning_audit add column if not exists verified_approver varchar;
alter table ops.cleaning_audit add column if not exists approver_key_id varchar;
alter table ops.cleaning_audit add column if not exists subject_hash varchar;
alter table ops.cleaning_audit add column if not exists verification varchar;

create table if not exists ops.cleaning_quarantine (
    workflow_id varchar,
    partition_date date,
    plan_version integer,
    table_name varchar,
    check_name varchar,
    raw_record varchar,
    quarantined_at timestamp
);

-- Accepted plans are recorded transformations of their partition (issue #14): re-applied, with the
-- same effect, whenever the partition's silver is rebuilt (activities/cleaning/replay.ts).
-- effects: per operation, the table and the rows it took out ({table, removed, fingerprint}) when
-- it was accepted; a re-application that would take out other rows does not apply.
create table if not exists ops.cleaning_plans (
    partition_date date,
    review_workflow_id varchar,
    review_run_id varchar,
    plan_version integer,
    accepted_by varchar,
    accepted_reason varchar,
    accepted_at timestamp,
    plan varchar,              -- the plan's JSON (closed vocabulary)
    effects varchar,           -- JSON, see above
    superseded_at timestamp,   -- a later review of the partition applied its own plan
    last_outcome varchar,      -- what the last rebuild did with it: re-applied | not needed | no longer applies: why
    last_outcome_at timestamp
);
