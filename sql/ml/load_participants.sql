-- Raw survey rows (all VARCHAR, from Warehouse.loadRawFile) → ml.survey_participants for one
-- partition. Rows with a missing id, an unparsable or non-finite feature, or another date are
-- left out (and counted by the caller). Params: $partition_date, $source_key.
with
raw as (
    select * from {{ raw }} where _error is null
),

typed as (
    select
        nullif(trim(participant_id), '') as participant_id,
        {{ try_date(partition_date) }} as partition_date,
        {{ try_num(x1) }} as x1, {{ try_num(x2) }} as x2, {{ try_num(x3) }} as x3, {{ try_num(x4) }} as x4,
        {{ try_num(x5) }} as x5, {{ try_num(x6) }} as x6, {{ try_num(x7) }} as x7, {{ try_num(x8) }} as x8,
        {{ try_num(x9) }} as x9, {{ try_num(x10) }} as x10
    from raw
)

select
    participant_id, partition_date, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10,
    $source_key as source_key,
    {{ now_utc() }} as loaded_at
from typed
where participant_id is not null
    and partition_date = cast($partition_date as date)
    and {{ is_finite(x1) }} and {{ is_finite(x2) }} and {{ is_finite(x3) }} and {{ is_finite(x4) }} and {{ is_finite(x5) }}
    and {{ is_finite(x6) }} and {{ is_finite(x7) }} and {{ is_finite(x8) }} and {{ is_finite(x9) }} and {{ is_finite(x10) }}
