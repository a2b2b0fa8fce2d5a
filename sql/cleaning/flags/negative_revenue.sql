-- flags: negative_revenue
-- table: orders
-- The rows of the partition's orders that the negative_revenue check counts (alias t).
t.revenue < 0
