-- Clamps a numeric column into [$min, $max]; a NULL bound means unbounded on that side.
update {{ target }} as t
set {{ column }} = case
        when $min is not null and t.{{ column }} < $min then $min
        when $max is not null and t.{{ column }} > $max then $max
        else t.{{ column }}
    end
where t.partition_date = cast($partition_date as date)
  and t.{{ column }} is not null
  and (($min is not null and t.{{ column }} < $min) or ($max is not null and t.{{ column }} > $max))
