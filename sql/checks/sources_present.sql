-- check: sources_present
-- stage: silver
-- severity: blocking
-- threshold: 0
-- fails when: observed > threshold
-- Sources whose contract says `required: true` (events and orders among the shipped ones) with
-- no bronze rows for the partition: a feed that did not land must not be published as a day of
-- zeros. The list comes from the contracts (ops.source_contracts, written at worker start).

with required as (
    select source
    from ops.source_contracts
    where is_required
),

present as (
    select distinct source
    from ops.bronze_rows
    where partition_date = cast($partition_date as date)
),

offending as (
    select r.source as offending_key
    from required as r
    left join present as p on p.source = r.source
    where p.source is null
)

select
    (select count(*) from offending) as observed,
    (select {{ str_agg(offending_key) }} from (select offending_key from offending order by offending_key limit 10) as s) as sample
