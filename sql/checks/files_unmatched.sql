-- check: files_unmatched
-- stage: silver
-- severity: warning
-- threshold: 0
-- fails when: observed > threshold
-- Landing files of the partition that match no source contract (a name like none of the
-- contracts' file patterns, or like several): they were not loaded. A warning by default;
-- DAG_CHECKS='{"files_unmatched":{"severity":"blocking"}}' blocks publication instead.

with unmatched as (
    select object_key
    from ops.landing_unmatched
    where partition_date = cast($partition_date as date)
)

select
    (select count(*) from unmatched) as observed,
    (select {{ str_agg(object_key) }} from (select object_key from unmatched order by object_key limit 10) as s) as sample
