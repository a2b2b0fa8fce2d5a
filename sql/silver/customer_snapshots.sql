-- materialized: table
-- Customers as a type-2 snapshot (dbt's timestamp strategy): one row per version of a customer,
-- valid from its updated_at until the next version's updated_at (valid_to NULL and is_current for
-- the latest). Built from EVERY delivery, whichever partition is being run, so a backfill of an old
-- date rebuilds the same history and never rolls the present back; to read a customer as of a day,
-- take the version with valid_from < the day's end and (valid_to IS NULL or valid_to >= it).
-- The same customer and updated_at delivered twice: the later partition, then file, then line wins.

with source as (
    select * from bronze.customers
),

versions as (
    select
        customer_id,
        lower(trim(client_id)) as client_id,
        lower(trim(email)) as email,
        upper(country) as country,
        created_at,
        updated_at,
        _partition_date as delivered_on
    from source
    qualify row_number() over (partition by customer_id, updated_at order by _partition_date desc, _source_key desc, _line desc) = 1
),

dated as (
    select
        *,
        updated_at as valid_from,
        lead(updated_at) over (partition by customer_id order by updated_at) as valid_to
    from versions
)

select
    customer_id,
    client_id,
    email,
    country,
    created_at,
    updated_at,
    valid_from,
    valid_to,
    valid_to is null as is_current,
    delivered_on
from dated
