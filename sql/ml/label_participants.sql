-- Labels one partition of survey participants with one persona model version: standardised
-- Euclidean distance to every centroid, nearest persona, margin to the second-nearest, and
-- 'unassigned' beyond $threshold. Params: $partition_date, $model_version, $threshold.
-- Exact distance ties (measure zero for real data) go to either tied persona; the margin is 0 then.
with
scaling_mean as (
    select * from ml.persona_scaling where model_version = $model_version and stat = 'mean'
),

scaling_std as (
    select * from ml.persona_scaling where model_version = $model_version and stat = 'std'
),

centroids as (
    select
        c.persona_id,
        c.persona,
        (c.x1 - m.x1) / s.x1 as z1, (c.x2 - m.x2) / s.x2 as z2, (c.x3 - m.x3) / s.x3 as z3,
        (c.x4 - m.x4) / s.x4 as z4, (c.x5 - m.x5) / s.x5 as z5, (c.x6 - m.x6) / s.x6 as z6,
        (c.x7 - m.x7) / s.x7 as z7, (c.x8 - m.x8) / s.x8 as z8, (c.x9 - m.x9) / s.x9 as z9,
        (c.x10 - m.x10) / s.x10 as z10
    from ml.persona_centroids c, scaling_mean m, scaling_std s
    where c.model_version = $model_version
),

participants as (
    select
        p.participant_id,
        (p.x1 - m.x1) / s.x1 as z1, (p.x2 - m.x2) / s.x2 as z2, (p.x3 - m.x3) / s.x3 as z3,
        (p.x4 - m.x4) / s.x4 as z4, (p.x5 - m.x5) / s.x5 as z5, (p.x6 - m.x6) / s.x6 as z6,
        (p.x7 - m.x7) / s.x7 as z7, (p.x8 - m.x8) / s.x8 as z8, (p.x9 - m.x9) / s.x9 as z9,
        (p.x10 - m.x10) / s.x10 as z10
    from {{ participants }} p, scaling_mean m, scaling_std s
    where p.partition_date = cast($partition_date as date)
),

squared_distances as (
    select
        p.participant_id,
        c.persona,
        (p.z1 - c.z1) * (p.z1 - c.z1) + (p.z2 - c.z2) * (p.z2 - c.z2) + (p.z3 - c.z3) * (p.z3 - c.z3)
        + (p.z4 - c.z4) * (p.z4 - c.z4) + (p.z5 - c.z5) * (p.z5 - c.z5) + (p.z6 - c.z6) * (p.z6 - c.z6)
        + (p.z7 - c.z7) * (p.z7 - c.z7) + (p.z8 - c.z8) * (p.z8 - c.z8) + (p.z9 - c.z9) * (p.z9 - c.z9)
        + (p.z10 - c.z10) * (p.z10 - c.z10) as squared_distance
    from participants p
    cross join centroids c
),

nearest as (
    select
        participant_id,
        min_by(persona, squared_distance) as nearest_persona,
        sqrt(min(squared_distance)) as distance,
        sqrt({{ second_smallest(squared_distance) }}) as second_distance
    from squared_distances
    group by participant_id
)

select
    cast($partition_date as date) as partition_date,
    participant_id,
    case when distance > $threshold then 'unassigned' else nearest_persona end as persona,
    nearest_persona,
    distance,
    second_distance - distance as margin,
    distance > $threshold as is_unassigned,
    cast($threshold as double) as threshold,
    cast($model_version as integer) as model_version,
    {{ now_utc() }} as labeled_at
from nearest
