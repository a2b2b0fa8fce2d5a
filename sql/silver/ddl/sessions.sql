-- silver.sessions reads its own table (the day before's sessions, to continue a visit across
-- midnight), so it cannot be created from its own SELECT on a fresh warehouse: it is declared
-- here and created at worker start (lib/bootstrap.ts). The columns are the model's output, in its
-- order and of its types (test/sql/silver-models.test.ts compares them).

create table if not exists silver.sessions (
    session_id varchar,
    client_id varchar,
    session_number {{ int_sum_type() }},       -- an integer sum, cast as the model does (lib/sql/macros-*.ts)
    session_start_at timestamp,
    session_end_at timestamp,
    landing_page varchar,
    referrer_host varchar,
    utm_source varchar,
    utm_medium varchar,
    utm_campaign varchar,
    event_count bigint,
    pageviews {{ int_sum_type() }},
    has_add_to_cart boolean,
    has_checkout boolean,
    has_purchase boolean,
    purchases {{ int_sum_type() }},
    revenue double,
    channel varchar,
    duration_seconds double,
    partition_date date,
    is_continuation boolean,       -- continues the visit of the day before (see sql/silver/sessions.sql)
    first_event_at timestamp       -- this partition's first event of the session (= session_start_at unless a continuation)
);
