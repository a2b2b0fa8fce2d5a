-- check: gold_unique_keys
-- stage: gold
-- severity: blocking
-- threshold: 0
-- fails when: observed > threshold
-- Gold grains: one daily_kpis row, one channel_daily row per channel, one funnel row per step.

with offending as (
    select 'daily_kpis rows: ' || cast(count(*) as varchar) as offending_key from {{ daily_kpis }} having count(*) <> 1
    union all
    select 'channel ' || channel from {{ channel_daily }} group by channel having count(*) > 1
    union all
    select 'funnel step ' || step from {{ funnel_daily }} group by step having count(*) > 1
)

select
    (select count(*) from offending) as observed,
    (select {{ str_agg(offending_key) }} from (select offending_key from offending limit 10) as s) as sample
