-- Re-reads a timestamp written as local time in $from_zone as local time in $to_zone.
update {{ target }} as t
set {{ column }} = (cast(t.{{ column }} as timestamp) at time zone $from_zone) at time zone $to_zone
where t.partition_date = cast($partition_date as date)
  and (/* flag */)
