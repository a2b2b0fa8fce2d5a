-- One feature, reference window vs current partition, counted on a common grid of $bins
-- equal-width bins starting at $lo. KS, Wasserstein, the PSI quantile bins and the chart are
-- all derived from these counts. Vars: participants, feature.
-- Params: $reference_from, $reference_to, $partition_date, $lo, $width, $bins.
with
samples as (
    select 'reference' as sample, {{ feature }} as value
    from {{ participants }}
    where partition_date between cast($reference_from as date) and cast($reference_to as date)
    union all
    select 'current' as sample, {{ feature }} as value
    from {{ participants }}
    where partition_date = cast($partition_date as date)
),

binned as (
    select
        sample,
        least(greatest(cast(floor((value - $lo) / $width) as integer), 0), $bins - 1) as bin
    from samples
)

select sample, bin, count(*) as n
from binned
group by sample, bin
order by sample, bin
