-- materialized: partition
-- Clickstream events of one partition: typed, deduplicated, JSON parsed, ids normalised.
-- Timestamps are UTC (converted from their offsets when bronze was loaded).
-- Duplicate rule: one row per event_id; the first occurrence wins (earliest file, then line).
-- Client ids are trimmed and lower-cased so 'CL_1 ' and 'cl_1' are one browser.
-- Money: a purchase's revenue is converted into the reporting currency at the rate of the event's
-- day (UTC); original_revenue and currency keep what the tag sent. A purchase without a currency
-- is taken to be in the reporting currency. A missing rate leaves revenue NULL and the
-- fx_rates_missing check blocks the partition.

with source as (
    select * from bronze.events
    where _partition_date = cast($partition_date as date)
),

-- Duplicates are rare: only ids that occur more than once are ranked, and every later
-- occurrence (by file, then line; (_source_key, _line) identifies a bronze row) is dropped.
-- Ranking all rows would sort the whole wide partition.
duplicate_ids as (
    select event_id from bronze.events
    where _partition_date = cast($partition_date as date)
    group by event_id
    having count(*) > 1
),

later_occurrences as (
    select _source_key, _line
    from (
        select
            _source_key,
            _line,
            row_number() over (partition by event_id order by _source_key, _line) as occurrence
        from bronze.events
        where _partition_date = cast($partition_date as date)
            and event_id in (select event_id from duplicate_ids)
    ) as ranked
    where occurrence > 1
),

deduplicated as (
    select s.*
    from source as s
    left join later_occurrences as l
        on l._source_key = s._source_key and l._line = s._line
    where l._line is null
),

renamed as (
    select
        event_id,
        lower(trim(client_id)) as client_id,
        event_type,
        event_ts as event_at,
        page_url,
        {{ url_path(page_url) }} as page_path,
        referrer,
        lower({{ url_host(referrer) }}) as referrer_host,
        lower(nullif(trim(utm_source), '')) as utm_source,
        lower(nullif(trim(utm_medium), '')) as utm_medium,
        nullif(trim(utm_campaign), '') as utm_campaign,
        device,
        {{ json_str(event_data, 'order_id') }} as order_id,
        round({{ json_num(event_data, 'revenue') }}, 2) as original_revenue,
        upper({{ json_str(event_data, 'currency') }}) as currency,
        {{ json_array_length(event_data, 'items') }} as item_count,
        cast($partition_date as date) as partition_date
    from deduplicated
),

-- The rates a partition may use: the latest delivery of each (day, currency) among those that
-- arrived at most $late_lookback_days after the partition (the late-data lookback), so a rebuild
-- gives the same numbers whenever it runs.
fx_visible_rates as (
    select rate_date, currency, rate_to_reporting
    from silver.fx_rates
    where delivered_on <= cast($late_lookback_end as date)
    qualify row_number() over (partition by rate_date, currency order by delivered_on desc) = 1
),

converted as (
    select
        r.event_id,
        r.client_id,
        r.event_type,
        r.event_at,
        r.page_url,
        r.page_path,
        r.referrer,
        r.referrer_host,
        r.utm_source,
        r.utm_medium,
        r.utm_campaign,
        r.device,
        r.order_id,
        round(r.original_revenue * case when r.currency is null or r.currency = $reporting_currency then 1.0e0 else fx.rate_to_reporting end, 2) as revenue,
        r.currency,
        r.item_count,
        r.partition_date,
        r.original_revenue,
        cast($reporting_currency as varchar) as reporting_currency
    from renamed as r
    left join fx_visible_rates as fx
        on fx.rate_date = cast(r.event_at as date) and fx.currency = r.currency
)

select * from converted
