-- check: row_count_swing
-- stage: gold
-- severity: warning
-- threshold: 0.5
-- fails when: observed > threshold
-- Relative change of the day's sessions against the previous published partition
-- (|today − previous| / previous). No previous partition: not evaluated.

with today as (
    select sessions from {{ daily_kpis }}
),

previous as (
    select sessions
    from gold.daily_kpis
    where partition_date = (select max(partition_date) from gold.daily_kpis where partition_date < cast($partition_date as date))
)

select
    case when p.sessions > 0 then round(abs(cast(t.sessions as double) - p.sessions) / p.sessions, 4) end as observed,
    'today ' || cast(t.sessions as varchar) || ', previous ' || coalesce(cast(p.sessions as varchar), 'none') as sample
from today as t
left join previous as p on 1 = 1
