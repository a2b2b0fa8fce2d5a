-- check: sources_present
-- stage: silver
-- severity: blocking
-- threshold: 0
-- fails when: observed > threshold
-- Required sources (events, orders) with no bronze rows for the partition: a feed that did not
-- land must not be published as a day of zeros.

with required as (
    select 'events' as source
    union all
    select 'orders'
),

present as (
    select 'events' as source from bronze.events where _partition_date = cast($partition_date as date) group by 1
    union all
    select 'orders' from bronze.orders where _partition_date = cast($partition_date as date) group by 1
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
