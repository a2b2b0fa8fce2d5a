-- materialized: table
-- Customers as of the partition: one row per customer_id across every partition up to it; the
-- latest update wins (updated_at, then the later partition, then file and line).

with source as (
    select * from bronze.customers
    where _partition_date <= cast($partition_date as date)
),

ranked as (
    select
        *,
        row_number() over (
            partition by customer_id
            order by updated_at desc, _partition_date desc, _source_key desc, _line desc
        ) as recency_rank
    from source
),

renamed as (
    select
        customer_id,
        lower(trim(client_id)) as client_id,
        lower(trim(email)) as email,
        upper(country) as country,
        created_at,
        updated_at
    from ranked
    where recency_rank = 1
)

select * from renamed
