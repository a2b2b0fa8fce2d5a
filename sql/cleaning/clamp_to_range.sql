-- Clamps a numeric column into [$min, $max]; $has_min / $has_max say whether each bound applies
-- (a bound left open is bound as 0 and ignored: untyped NULL parameters are ambiguous in SQL).
update {{ target }} as t
set {{ column }} = case
        when $has_min and t.{{ column }} < $min then $min
        when $has_max and t.{{ column }} > $max then $max
        else t.{{ column }}
    end
where t.partition_date = cast($partition_date as date)
  and t.{{ column }} is not null
  and (($has_min and t.{{ column }} < $min) or ($has_max and t.{{ column }} > $max))
