-- materialized: partition
-- Sessions of one partition. A client's next event starts a new session when it comes more than
-- $session_gap_minutes (default 30) after the previous one; ties are ordered by event_id.
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
        sum(starts_session) over (partition by client_id order by event_at, event_id rows between unbounded preceding and current row) as session_number
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
        sum(case when event_type = 'page_view' then 1 else 0 end) as pageviews,
        max(case when event_type = 'add_to_cart' then 1 else 0 end) = 1 as has_add_to_cart,
        max(case when event_type = 'checkout' then 1 else 0 end) = 1 as has_checkout,
        max(case when event_type = 'purchase' then 1 else 0 end) = 1 as has_purchase,
        sum(case when event_type = 'purchase' then 1 else 0 end) as purchases,
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
        end as channel,
        {{ epoch_s(session_end_at) }} - {{ epoch_s(session_start_at) }} as duration_seconds,
        cast($partition_date as date) as partition_date
    from sessions
)

select * from channelled
