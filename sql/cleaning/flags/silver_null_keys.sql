-- flags: silver_null_keys
-- table: events
-- Events without their identifying keys (alias t); orders without keys are rare enough to review by hand.
(t.event_id is null or t.client_id is null or t.client_id = '')
