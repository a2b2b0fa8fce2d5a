-- Checked on the staged credits before anything is written to gold; any violation refuses the run.
-- Per conversion and model: shares sum to exactly 1 conversion (1,000,000 units) and exactly the
-- conversion's revenue in cents; no share is negative when the revenue is not; touches are
-- numbered 1..n without gaps. Returns the number of offending conversions and up to 5 order ids.

with per_conversion as (
    select
        order_id,
        max(revenue_cents) as revenue_cents,
        count(*) as touch_rows,
        max(touch_index) as max_index,
        max(touch_count) as touch_count,
        sum(first_touch_units) as u1, sum(last_touch_units) as u2, sum(last_non_direct_units) as u3,
        sum(linear_units) as u4, sum(time_decay_units) as u5, sum(position_based_units) as u6,
        sum(first_touch_cents) as c1, sum(last_touch_cents) as c2, sum(last_non_direct_cents) as c3,
        sum(linear_cents) as c4, sum(time_decay_cents) as c5, sum(position_based_cents) as c6,
        min(least(first_touch_units, last_touch_units, last_non_direct_units, linear_units, time_decay_units, position_based_units)) as min_units,
        min(least(first_touch_cents, last_touch_cents, last_non_direct_cents, linear_cents, time_decay_cents, position_based_cents)) as min_cents
    from {{ credits }}
    group by order_id
),

offending as (
    select order_id
    from per_conversion
    where touch_rows <> touch_count or max_index <> touch_count
        or u1 <> 1000000 or u2 <> 1000000 or u3 <> 1000000 or u4 <> 1000000 or u5 <> 1000000 or u6 <> 1000000
        or c1 <> revenue_cents or c2 <> revenue_cents or c3 <> revenue_cents
        or c4 <> revenue_cents or c5 <> revenue_cents or c6 <> revenue_cents
        or min_units < 0 or (revenue_cents >= 0 and min_cents < 0)
)

select
    (select count(*) from offending) as offending,
    (select {{ str_agg(order_id) }} from (select order_id from offending order by order_id limit 5) as s) as sample
