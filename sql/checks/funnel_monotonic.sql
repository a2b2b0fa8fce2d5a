-- check: funnel_monotonic
-- stage: gold
-- severity: warning
-- threshold: 0
-- fails when: observed > threshold
-- Funnel steps that have more sessions than the step before (e.g. purchases without checkout):
-- tracking gaps on the site.

with offending as (
    select f.step as offending_key
    from {{ funnel_daily }} as f
    join {{ funnel_daily }} as prev on prev.step_order = f.step_order - 1
    where f.sessions > prev.sessions
)

select
    (select count(*) from offending) as observed,
    (select {{ str_agg(offending_key) }} from (select offending_key from offending order by offending_key limit 10) as s) as sample
