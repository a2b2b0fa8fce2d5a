-- materialized: partition
-- Orders of one partition joined with their lines. One row per order_id: the first occurrence
-- wins (earliest file, then line). Revenue is the order's own total in its currency; the lines'
-- sum is kept beside it (items_amount) so mismatches stay visible.

with source as (
    select * from bronze.orders
    where _partition_date = cast($partition_date as date)
),

ranked as (
    select
        *,
        row_number() over (partition by order_id order by _source_key, _line) as occurrence
    from source
),

items as (
    select
        order_id,
        count(*) as item_lines,
        sum(quantity) as item_quantity,
        round(sum(line_amount), 2) as items_amount
    from silver.order_items
    where partition_date = cast($partition_date as date)
    group by order_id
),

joined as (
    select
        o.order_id,
        lower(trim(o.client_id)) as client_id,
        o.customer_id,
        o.ordered_at,
        o.currency,
        round(o.revenue, 2) as revenue,
        o.status,
        o.status = 'completed' as is_completed,
        coalesce(i.item_lines, 0) as item_lines,
        coalesce(i.item_quantity, 0) as item_quantity,
        i.items_amount,
        cast($partition_date as date) as partition_date
    from ranked as o
    left join items as i on i.order_id = o.order_id
    where o.occurrence = 1
)

select * from joined
