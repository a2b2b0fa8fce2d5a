-- A deterministic sample of the training window: rows ordered by a hash of their id (stable
-- across runs and machines), at most $sample_size. Params: $window_from, $window_to, $sample_size.
select x1, x2, x3, x4, x5, x6, x7, x8, x9, x10
from ml.survey_participants
where partition_date between cast($window_from as date) and cast($window_to as date)
order by {{ hash_key(participant_id) }}, participant_id
limit $sample_size
