-- flags: orphan_purchases
-- table: orders
-- Orders whose client has no web session that day (alias t), as the orphan_purchases check counts them.
not exists (
    select 1
    from {{ sessions }} as s
    where s.partition_date = t.partition_date and s.client_id = t.client_id
)
