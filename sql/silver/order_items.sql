-- materialized: partition
-- Order lines of one partition, one row per (order_id, line_no): the first occurrence wins
-- (earliest file, then earliest line), so re-sent lines never double an order.

with source as (
    select * from bronze.order_items
    where _partition_date = cast($partition_date as date)
),

ranked as (
    select
        *,
        row_number() over (partition by order_id, line_no order by _source_key, _line) as occurrence
    from source
),

renamed as (
    select
        order_id,
        line_no,
        sku,
        quantity,
        round(unit_price, 2) as unit_price,
        round(quantity * unit_price, 2) as line_amount,
        cast($partition_date as date) as partition_date
    from ranked
    where occurrence = 1
)

select * from renamed
