-- materialized: table
-- Exchange rates into the reporting currency ($reporting_currency, DAG_REPORTING_CURRENCY,
-- default EUR), one row per (rate_date, currency, delivering partition): every delivery is kept,
-- so a partition's conversions can use only what had arrived within the late-data lookback after
-- it (see fx_visible_rates in silver/events.sql and silver/orders.sql) and never change because a
-- later correction arrived. Within one delivery, a duplicate (rate_date, base, quote) is resolved by
-- the last file, then line.
-- amount in reporting currency = amount × rate_to_reporting, where rate_to_reporting comes from,
-- in order of preference:
--   direct   a row base = currency, quote = reporting           rate
--   inverse  a row base = reporting, quote = currency          1 / rate
--   cross    two rows of one base B: B → reporting, B → currency   rate(B → reporting) / rate(B → currency)
-- The reporting currency itself needs no row (rate 1, see the models).

with source as (
    select
        rate_date,
        upper(trim(base_currency)) as base_currency,
        upper(trim(quote_currency)) as quote_currency,
        rate,
        _partition_date as delivered_on
    from bronze.fx_rates
    qualify row_number() over (
        partition by _partition_date, rate_date, upper(trim(base_currency)), upper(trim(quote_currency))
        order by _source_key desc, _line desc
    ) = 1
),

direct as (
    select rate_date, base_currency as currency, delivered_on, rate as rate_to_reporting, 1 as preference, 'direct ' || base_currency || '/' || quote_currency as derived_from
    from source
    where quote_currency = $reporting_currency and base_currency <> $reporting_currency
),

inverse as (
    select rate_date, quote_currency as currency, delivered_on, 1.0e0 / rate as rate_to_reporting, 2 as preference, 'inverse ' || base_currency || '/' || quote_currency as derived_from
    from source
    where base_currency = $reporting_currency and quote_currency <> $reporting_currency
),

crossed as (
    select
        c.rate_date,
        c.quote_currency as currency,
        c.delivered_on,
        r.rate / c.rate as rate_to_reporting,
        3 as preference,
        'cross ' || c.base_currency || '/' || c.quote_currency || ' × ' || r.base_currency || '/' || r.quote_currency as derived_from
    from source as c
    inner join source as r
        on r.delivered_on = c.delivered_on and r.rate_date = c.rate_date and r.base_currency = c.base_currency
    where r.quote_currency = $reporting_currency and c.quote_currency <> $reporting_currency and c.base_currency <> $reporting_currency
),

candidates as (
    select * from direct
    union all
    select * from inverse
    union all
    select * from crossed
),

final as (
    select
        rate_date,
        currency,
        delivered_on,
        rate_to_reporting,
        cast($reporting_currency as varchar) as reporting_currency,
        derived_from
    from candidates
    qualify row_number() over (partition by rate_date, currency, delivered_on order by preference, derived_from) = 1
)

select * from final
