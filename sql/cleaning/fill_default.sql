-- Fills NULLs of one column with a bound default value.
update {{ target }} as t
set {{ column }} = $value
where t.partition_date = cast($partition_date as date)
  and t.{{ column }} is null
