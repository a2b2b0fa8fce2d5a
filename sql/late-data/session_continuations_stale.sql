-- Does the partition's sessions table still agree with the day before? For each client's first
-- session of the partition, the continuation rule of silver/sessions.sql is evaluated again against
-- the day before's sessions as they are NOW; a difference (a visit that should continue and does
-- not, or the other way round, or a continued visit whose id, start, landing or channel changed)
-- means the partition must be rebuilt. Returns stale = that count, and rows = the partition's
-- sessions (0: never built, nothing to do). Keep in step with silver/sessions.sql.

with firsts as (
    select *
    from silver.sessions
    where partition_date = cast($partition_date as date) and session_number = 1
),

open_at_midnight as (
    select client_id, session_id, session_start_at, session_end_at, landing_page, referrer_host, utm_source, utm_medium, utm_campaign, channel
    from silver.sessions
    where partition_date = cast($partition_date as date) - 1
        and {{ epoch_s(session_end_at) }} >= {{ epoch_s(cast(cast($partition_date as date) as timestamp)) }} - $session_gap_minutes * 60
    qualify row_number() over (partition by client_id order by session_end_at desc, session_id desc) = 1
),

expected as (
    select
        f.*,
        coalesce(
            {{ epoch_s(f.first_event_at) }} - {{ epoch_s(p.session_end_at) }} between 0 and $session_gap_minutes * 60,
            false
        ) as should_continue,
        p.session_id as p_session_id,
        p.session_start_at as p_session_start_at,
        p.landing_page as p_landing_page,
        p.referrer_host as p_referrer_host,
        p.utm_source as p_utm_source,
        p.utm_medium as p_utm_medium,
        p.utm_campaign as p_utm_campaign,
        p.channel as p_channel
    from firsts as f
    left join open_at_midnight as p on p.client_id = f.client_id
),

stale as (
    select client_id
    from expected
    where should_continue <> coalesce(is_continuation, false)
        or (
            should_continue
            and (
                session_id <> p_session_id
                or session_start_at <> p_session_start_at
                or channel <> p_channel
                or coalesce(landing_page, '') <> coalesce(p_landing_page, '')
                or coalesce(referrer_host, '') <> coalesce(p_referrer_host, '')
                or coalesce(utm_source, '') <> coalesce(p_utm_source, '')
                or coalesce(utm_medium, '') <> coalesce(p_utm_medium, '')
                or coalesce(utm_campaign, '') <> coalesce(p_utm_campaign, '')
            )
        )
)

select
    (select count(*) from stale) as stale,
    (select count(*) from silver.sessions where partition_date = cast($partition_date as date)) as sessions
