-- Keeps one row per key in the partition: deletes a row when another row with the same keys
-- comes before it (keep first) or after it (keep last) by {{ order_by }}. Exact ties are kept.
-- The compiler fills the comment slots: same_keys with `o.k is not distinct from t.k` per
-- validated key column, keep_cmp with < (keep first) or > (keep last).
delete from {{ target }} as t
where t.partition_date = cast($partition_date as date)
  and exists (
    select 1
    from {{ target }} as o
    where o.partition_date = t.partition_date
      and /* same_keys */
      and o.{{ order_by }} /* keep_cmp */ t.{{ order_by }}
  )
