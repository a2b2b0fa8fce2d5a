-- materialized: table
-- A model file outside sql/: buildModel must never read it (path traversal in a model name).
select 1 as partition_date; drop table ops.quarantine
