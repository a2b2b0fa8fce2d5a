-- materialized: table
-- Customers now: the current version of each customer in the type-2 snapshot
-- (silver/customer_snapshots.sql). It does not depend on the partition being run, so backfilling
-- an old date leaves it exactly as it is.

with snapshots as (
    select * from silver.customer_snapshots
),

current_versions as (
    select
        customer_id,
        client_id,
        email,
        country,
        created_at,
        updated_at
    from snapshots
    where is_current
)

select * from current_versions
