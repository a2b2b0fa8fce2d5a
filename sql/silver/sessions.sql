-- materialized: partition
-- Sessions of one partition. A client's next event starts a new session when it comes more than
-- $session_gap_minutes (default 30) after the previous one; ties are ordered by event_id.
-- Integer sums are cast to int_sum_type (BIGINT on DuckDB, whose own HUGEINT scans far slower).
-- Channel grouping, from the session's first event (its landing hit):
--   utm_medium cpc/ppc/paidsearch                                   → paid_search
--   utm_medium paid_social/paidsocial, or a social utm_source with a paid medium → paid_social
--   utm_medium email, or utm_source newsletter                      → email
--   utm_medium display/banner/cpm                                   → display
--   utm_medium affiliate                                            → affiliate
--   any other utm_source/utm_medium                                 → other_campaign
--   referrer host of a search engine (google, bing, duckduckgo, yahoo, ecosia) → organic_search
--   referrer host of a social network (facebook, instagram, t.co, linkedin, tiktok, pinterest) → organic_social
--   any other referrer host except the shop itself                  → referral
--   otherwise                                                       → direct
--
-- Visits across midnight. A session belongs to the partition of its landing hit. A client's FIRST
-- session of the day continues their last session of the day before when that one was still open
-- at midnight (it ended at most $session_gap_minutes before the day began, or later) and this one
-- starts at most $session_gap_minutes after it ended (0 ≤ gap ≤ the limit, the same rule as within
-- a day). The continuation row keeps the visit's session_id, start, landing page, referrer, UTM and
-- channel — so a purchase after midnight is credited to the landing channel — counts only this
-- partition's events, and has is_continuation = true; attribution takes the landing row as the
-- touch. Only the day before is read (its continuation rows carry a visit's landing on), so the
-- sort stays one partition wide. When the day before changes, the nightly that changed it rebuilds
-- this partition if its continuations no longer match (sql/late-data/session_continuations_stale.sql).

with events as (
    select * from silver.events
    where partition_date = cast($partition_date as date)
),

with_previous as (
    select
        *,
        lag(event_at) over (partition by client_id order by event_at, event_id) as previous_event_at
    from events
),

numbered as (
    select
        *,
        case
            when previous_event_at is null then 1
            when {{ epoch_s(event_at) }} - {{ epoch_s(previous_event_at) }} > $session_gap_minutes * 60 then 1
            else 0
        end as starts_session
    from with_previous
),

sessionized as (
    select
        *,
        cast(sum(starts_session) over (partition by client_id order by event_at, event_id rows between unbounded preceding and current row) as {{ int_sum_type() }}) as session_number
    from numbered
),

-- The landing hit is the session's first event: the one row that started it.
sessions as (
    select
        client_id || '-' || replace(cast(cast($partition_date as date) as varchar), '-', '') || '-' || cast(session_number as varchar) as session_id,
        client_id,
        session_number,
        min(event_at) as session_start_at,
        max(event_at) as session_end_at,
        max(case when starts_session = 1 then page_path end) as landing_page,
        max(case when starts_session = 1 then referrer_host end) as referrer_host,
        max(case when starts_session = 1 then utm_source end) as utm_source,
        max(case when starts_session = 1 then utm_medium end) as utm_medium,
        max(case when starts_session = 1 then utm_campaign end) as utm_campaign,
        count(*) as event_count,
        cast(sum(case when event_type = 'page_view' then 1 else 0 end) as {{ int_sum_type() }}) as pageviews,
        max(case when event_type = 'add_to_cart' then 1 else 0 end) = 1 as has_add_to_cart,
        max(case when event_type = 'checkout' then 1 else 0 end) = 1 as has_checkout,
        max(case when event_type = 'purchase' then 1 else 0 end) = 1 as has_purchase,
        cast(sum(case when event_type = 'purchase' then 1 else 0 end) as {{ int_sum_type() }}) as purchases,
        round(coalesce(sum(case when event_type = 'purchase' then revenue end), 0), 2) as revenue
    from sessionized
    group by client_id, session_number
),

channelled as (
    select
        *,
        case
            when utm_medium in ('cpc', 'ppc', 'paidsearch', 'paid_search') then 'paid_search'
            when utm_medium in ('paid_social', 'paidsocial', 'social_paid')
                or (utm_source in ('facebook', 'instagram', 'tiktok', 'linkedin', 'pinterest') and utm_medium like '%paid%') then 'paid_social'
            when utm_medium = 'email' or utm_source = 'newsletter' then 'email'
            when utm_medium in ('display', 'banner', 'cpm') then 'display'
            when utm_medium = 'affiliate' then 'affiliate'
            when utm_source is not null or utm_medium is not null then 'other_campaign'
            when referrer_host like '%google.%' or referrer_host like '%bing.%' or referrer_host like '%duckduckgo.%'
                or referrer_host like '%yahoo.%' or referrer_host like '%ecosia.%' then 'organic_search'
            when referrer_host like '%facebook.%' or referrer_host like '%instagram.%' or referrer_host = 't.co'
                or referrer_host like '%linkedin.%' or referrer_host like '%tiktok.%' or referrer_host like '%pinterest.%' then 'organic_social'
            when referrer_host is not null and referrer_host not like '%shop.example.com' then 'referral'
            else 'direct'
        end as channel
    from sessions
),

-- Each client's last session of the day before that was still open at midnight (a few rows).
open_at_midnight as (
    select client_id, session_id, session_start_at, session_end_at, landing_page, referrer_host, utm_source, utm_medium, utm_campaign, channel
    from silver.sessions
    where partition_date = cast($partition_date as date) - 1
        and {{ epoch_s(session_end_at) }} >= {{ epoch_s(cast(cast($partition_date as date) as timestamp)) }} - $session_gap_minutes * 60
    qualify row_number() over (partition by client_id order by session_end_at desc, session_id desc) = 1
),

continued as (
    select
        s.*,
        p.session_id as visit_session_id,
        p.session_start_at as visit_start_at,
        p.landing_page as visit_landing_page,
        p.referrer_host as visit_referrer_host,
        p.utm_source as visit_utm_source,
        p.utm_medium as visit_utm_medium,
        p.utm_campaign as visit_utm_campaign,
        p.channel as visit_channel,
        coalesce(
            s.session_number = 1
                and {{ epoch_s(s.session_start_at) }} - {{ epoch_s(p.session_end_at) }} between 0 and $session_gap_minutes * 60,
            false
        ) as is_continuation
    from channelled as s
    left join open_at_midnight as p on p.client_id = s.client_id
),

final as (
    select
        case when is_continuation then visit_session_id else session_id end as session_id,
        client_id,
        session_number,
        case when is_continuation then visit_start_at else session_start_at end as session_start_at,
        session_end_at,
        case when is_continuation then visit_landing_page else landing_page end as landing_page,
        case when is_continuation then visit_referrer_host else referrer_host end as referrer_host,
        case when is_continuation then visit_utm_source else utm_source end as utm_source,
        case when is_continuation then visit_utm_medium else utm_medium end as utm_medium,
        case when is_continuation then visit_utm_campaign else utm_campaign end as utm_campaign,
        event_count,
        pageviews,
        has_add_to_cart,
        has_checkout,
        has_purchase,
        purchases,
        revenue,
        case when is_continuation then visit_channel else channel end as channel,
        {{ epoch_s(session_end_at) }} - {{ epoch_s(case when is_continuation then visit_start_at else session_start_at end) }} as duration_seconds,
        cast($partition_date as date) as partition_date,
        is_continuation,
        session_start_at as first_event_at
    from continued
)

select * from final
