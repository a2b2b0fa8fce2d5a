-- flags: orphan_purchases
-- table: orders
-- Orders whose client has no web session in the lookback window up to the day (alias t), as the
-- orphan_purchases check counts them.
not exists (
    select 1
    from {{ sessions }} as s
    where s.client_id = t.client_id
        and s.partition_date between cast($session_lookback_start as date) and t.partition_date
)
