-- check: revenue_on_trading_day
-- stage: gold
-- severity: blocking
-- threshold: 1
-- fails when: observed < threshold
-- A day with sessions must have revenue > 0 (observed 1 = ok, 0 = a trading day without revenue).
-- Days without sessions pass: the shop was closed or the feed is empty (freshness warns).

select
    case when sessions > 0 and coalesce(revenue, 0) <= 0 then 0 else 1 end as observed,
    'sessions ' || cast(sessions as varchar) || ', revenue ' || cast(coalesce(revenue, 0) as varchar) as sample
from {{ daily_kpis }}
