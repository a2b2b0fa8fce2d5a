-- Sets one column to NULL on the partition's rows (those a check flags, or all when no check).
update {{ target }} as t
set {{ column }} = null
where t.partition_date = cast($partition_date as date)
  and (/* flag */)
