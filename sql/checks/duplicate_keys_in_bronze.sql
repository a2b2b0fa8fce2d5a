-- check: duplicate_keys_in_bronze
-- stage: silver
-- severity: warning
-- threshold: 0
-- fails when: observed > threshold
-- Keys delivered more than once in a partition, for every source by the `key` its contract
-- declares (its grain: event_id, order_id, order_id + line_no, …). Silver keeps one row per key,
-- so this warns about the source rather than blocking; make it blocking with DAG_CHECKS.

with offending as (
    select source, key_text
    from ops.bronze_keys
    where partition_date = cast($partition_date as date) and key_text is not null
    group by source, key_text
    having count(*) > 1
)

select
    (select count(*) from offending) as observed,
    (select {{ str_agg(k) }} from (select source || ': ' || key_text as k from offending order by source, key_text limit 10) as s) as sample
