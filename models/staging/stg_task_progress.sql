-- stg_task_progress: one row per (task_id, status_date); percent-complete reports of tasks.
-- Delivery semantics (inputs.md): rows quarantined in raw._violations are left out first,
-- then, per key, the row from the file that sorts last by path wins (_file, _row descending).
-- Independent of the as-of date.
with quarantined as (
    select _file, _row
    from raw._violations
    where entity = 'task_progress'
),

delivered as (
    select landed.*
    from raw.task_progress as landed
    anti join quarantined using (_file, _row)
),

current_rows as (
    -- the latest delivery of each key
    select *
    from delivered
    qualify row_number() over (partition by task_id, status_date order by _file desc, _row desc) = 1
)

select
    task_id,
    status_date,
    percent_complete,
    _file  -- lineage: the file the current row came from
from current_rows
