-- flags: future_timestamps
-- table: events
-- Events after the partition day plus one hour of skew, or more than seven days before it (alias t).
(t.event_at >= cast(cast($partition_date as date) + 1 as timestamp) + interval '1 hour'
    or t.event_at < cast(cast($partition_date as date) - 7 as timestamp))
