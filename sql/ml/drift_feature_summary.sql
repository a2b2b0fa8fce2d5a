-- One feature, reference window vs current partition: count, mean, std and range of each, so
-- the caller can lay one histogram grid over both. Vars: participants, feature.
-- Params: $reference_from, $reference_to, $partition_date.
with
samples as (
    select 'reference' as sample, {{ feature }} as value
    from {{ participants }}
    where partition_date between cast($reference_from as date) and cast($reference_to as date)
    union all
    select 'current' as sample, {{ feature }} as value
    from {{ participants }}
    where partition_date = cast($partition_date as date)
)

select
    sample,
    count(*) as n,
    avg(value) as mean,
    stddev_samp(value) as std,
    min(value) as min_value,
    max(value) as max_value
from samples
group by sample
