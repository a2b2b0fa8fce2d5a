-- materialized: partition
-- Orders of one partition joined with their lines. One row per order_id: the first occurrence
-- wins (earliest file, then line). Revenue is the order's own total converted into the reporting
-- currency at the rate of the order's day (UTC) — original_revenue and currency keep the order's
-- own amount — and the lines' sum is kept beside it (items_amount, converted the same way) so
-- mismatches stay visible. A missing rate leaves revenue NULL and fx_rates_missing blocks.

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

-- The rates this partition may use (see silver/events.sql): deliveries up to the late-data lookback.
fx_visible_rates as (
    select rate_date, currency, rate_to_reporting
    from silver.fx_rates
    where delivered_on <= cast($late_lookback_end as date)
    qualify row_number() over (partition by rate_date, currency order by delivered_on desc) = 1
),

joined as (
    select
        o.order_id,
        lower(trim(o.client_id)) as client_id,
        o.customer_id,
        o.ordered_at,
        o.currency,
        round(o.revenue * case when o.currency = $reporting_currency then 1.0e0 else fx.rate_to_reporting end, 2) as revenue,
        o.status,
        o.status = 'completed' as is_completed,
        coalesce(i.item_lines, 0) as item_lines,
        coalesce(i.item_quantity, 0) as item_quantity,
        round(i.items_amount * case when o.currency = $reporting_currency then 1.0e0 else fx.rate_to_reporting end, 2) as items_amount,
        cast($partition_date as date) as partition_date,
        round(o.revenue, 2) as original_revenue,
        cast($reporting_currency as varchar) as reporting_currency
    from ranked as o
    left join items as i on i.order_id = o.order_id
    left join fx_visible_rates as fx on fx.rate_date = cast(o.ordered_at as date) and fx.currency = o.currency
    where o.occurrence = 1
)

select * from joined
