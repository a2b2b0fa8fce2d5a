-- Deletes the partition's rows that a check flags (the flag slot holds that check's predicate from flags/).
delete from {{ target }} as t
where t.partition_date = cast($partition_date as date)
  and (/* flag */)
