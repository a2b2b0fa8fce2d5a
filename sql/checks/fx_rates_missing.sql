-- check: fx_rates_missing
-- stage: silver
-- severity: blocking
-- threshold: 0
-- fails when: observed > threshold
-- (day, currency) pairs of the partition's orders and purchases with no exchange rate into the
-- reporting currency (fx_rates source, DAG_REPORTING_CURRENCY): their revenue could not be
-- converted. Not a rate: one missing rate makes every total in that currency wrong. A rate that
-- arrives later (within the late-data lookback) is picked up by re-running the day — the nightly
-- that loads it does so by itself.

with needed as (
    select cast(ordered_at as date) as rate_date, currency
    from silver.orders
    where partition_date = cast($partition_date as date) and revenue is null and original_revenue is not null
    union
    select cast(event_at as date), currency
    from silver.events
    where partition_date = cast($partition_date as date) and revenue is null and original_revenue is not null
),

offending as (
    select distinct currency || ' ' || cast(rate_date as varchar) as offending_key from needed
)

select
    (select count(*) from offending) as observed,
    (select {{ str_agg(offending_key) }} from (select offending_key from offending order by offending_key limit 10) as s) as sample
