-- stg_tasks: one row per task_id; the current tasks of the project plans.
-- Delivery semantics (inputs.md): rows quarantined in raw._violations are left out first; then,
-- per key, the row from the file that sorts last by path wins (_file, then _row, descending).
-- Independent of the as-of date. _file tells which file the row came from.
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

repeated_keys as (
    -- keys delivered more than once (re-sent or corrected rows): only these need ranking,
    -- which keeps large entities (timesheets) cheap
    select task_id
    from delivered
    group by task_id
    having count(*) > 1
),

current_rows as (
    select *
    from delivered
    anti join repeated_keys using (task_id)
    union all
    select *
    from (
        select *
        from delivered
        semi join repeated_keys using (task_id)
        qualify row_number() over (partition by task_id order by _file desc, _row desc) = 1
    )
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
    _file
from current_rows
