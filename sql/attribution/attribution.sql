-- materialized: range (rows of [$from_date, $to_date] × window × model, replaced together)
-- gold.attribution: conversions and revenue credited per conversion day, channel and model, from
-- the per-touch credits of attribution_credits.sql (staged as {{ credits }}). Only the models
-- listed in $models (',first_touch,linear,' — names are validated by the workflow) are written.
-- Credit is summed in integer units, so each model's day totals are exact: conversions to 1e-6,
-- revenue to the cent. Channel 'unattributed' holds conversions without a touch in the window;
-- `touches` counts the touches that received credit. The run's settings (half-life, position
-- weights; the window is window_days) and the reporting currency are columns of every row: runs with
-- other settings coexist, keyed by them.

with credits as (
    select * from {{ credits }}
),

models as (
    select 'first_touch' as model
    union all select 'last_touch'
    union all select 'last_non_direct'
    union all select 'linear'
    union all select 'time_decay'
    union all select 'position_based'
),

long_credits as (
    select
        c.conversion_date,
        c.channel,
        m.model,
        case m.model
            when 'first_touch' then c.first_touch_units
            when 'last_touch' then c.last_touch_units
            when 'last_non_direct' then c.last_non_direct_units
            when 'linear' then c.linear_units
            when 'time_decay' then c.time_decay_units
            else c.position_based_units
        end as units,
        case m.model
            when 'first_touch' then c.first_touch_cents
            when 'last_touch' then c.last_touch_cents
            when 'last_non_direct' then c.last_non_direct_cents
            when 'linear' then c.linear_cents
            when 'time_decay' then c.time_decay_cents
            else c.position_based_cents
        end as cents
    from credits as c
    cross join models as m
    where position(',' || m.model || ',' in $models) > 0
),

credited as (
    -- Touches a model gives nothing (e.g. the middle touches under first_touch) are left out.
    select * from long_credits where units <> 0 or cents <> 0
),

final as (
    select
        conversion_date,
        channel,
        model,
        cast($window_days as integer) as window_days,
        cast(sum(units) as decimal(18, 0)) / 1000000 as conversions_credited,
        cast(sum(cents) as decimal(18, 0)) / 100 as revenue_credited,
        count(*) as touches
    from credited
    group by conversion_date, channel, model
)

select
    conversion_date,
    channel,
    model,
    window_days,
    cast(conversions_credited as decimal(18, 6)) as conversions_credited,
    cast(revenue_credited as decimal(18, 2)) as revenue_credited,
    touches,
    cast($half_life_days as double) as half_life_days,
    cast($first_weight as double) as first_weight,
    cast($last_weight as double) as last_weight,
    cast($reporting_currency as varchar) as currency
from final
