-- Copies the flagged rows to ops.cleaning_quarantine (as JSON), then deletes them: reversible.
insert into ops.cleaning_quarantine
select $workflow_id, cast($partition_date as date), $plan_version, $table_name, $check_name, {{ row_json(t) }}, cast($now as timestamp)
from {{ target }} as t
where t.partition_date = cast($partition_date as date)
  and (/* flag */);

delete from {{ target }} as t
where t.partition_date = cast($partition_date as date)
  and (/* flag */)
