-- stg_tasks: one row per task_id; the current tasks of the project plans.
-- Reads raw.tasks_current: the rows that count under the delivery semantics (no broken
-- rule; per key, the row from the file sorting last), generated from the input contract
-- (docs/inputs.md); of tool exports, the latest status snapshot dated on or before the as-of
-- date, with the baseline's plan; the table is rebuilt when the as-of date passes a status
-- date (transform/models.py raw_fingerprint). _file tells which file the row came from.
select
    task_id,
    project_id,
    task_name,
    assignee_id,
    required_skill,
    required_skill_level,
    tool,
    created_on,
    planned_start,
    planned_end,
    planned_hours,
    planned_cost,
    actual_start,
    completed_on,
    status,
    _file
from raw.tasks_current
