-- stg_tasks: one row per task_id; the current version of each task of the project plans.
-- Delivery semantics (inputs.md): rows quarantined in raw._violations are left out first,
-- then, per key, the row from the file that sorts last by path wins (_file, _row descending).
-- Independent of the as-of date.
with quarantined as (
    select _file, _row
    from raw._violations
    where entity = 'tasks'
),

delivered as (
    select landed.*
    from raw.tasks as landed
    anti join quarantined using (_file, _row)
),

current_rows as (
    -- the latest delivery of each key
    select *
    from delivered
    qualify row_number() over (partition by task_id order by _file desc, _row desc) = 1
)

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
    _file  -- lineage: the file the current row came from
from current_rows
