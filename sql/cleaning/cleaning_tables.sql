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
