-- Snowflake version of shift_timezone.sql (no AT TIME ZONE on TIMESTAMP_NTZ).
update {{ target }} as t
set {{ column }} = convert_timezone($from_zone, $to_zone, cast(t.{{ column }} as timestamp_ntz))
where t.partition_date = cast($partition_date as date)
  and (/* flag */)
