-- The persona mix and fit of the reference window vs the current partition, for one model
-- version: count per persona (incl. 'unassigned') and the mean distance of assigned rows.
-- Params: $reference_from, $reference_to, $partition_date, $model_version.
with
labels as (
    select 'reference' as sample, persona, is_unassigned, distance
    from ml.persona_labels
    where model_version = $model_version
        and partition_date between cast($reference_from as date) and cast($reference_to as date)
    union all
    select 'current' as sample, persona, is_unassigned, distance
    from ml.persona_labels
    where model_version = $model_version
        and partition_date = cast($partition_date as date)
)

select
    sample,
    persona,
    count(*) as n,
    sum(case when is_unassigned then 0 else distance end) as assigned_distance_sum
from labels
group by sample, persona
order by sample, persona
