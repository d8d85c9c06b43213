-- stg_timesheets: one row per entry_id; hours booked by employees (task_id null = time not booked on a project).
-- Delivery semantics (inputs.md): rows quarantined in raw._violations are left out first,
-- then, per key, the row from the file that sorts last by path wins (_file, _row descending).
-- Independent of the as-of date.
with quarantined as (
    select _file, _row
    from raw._violations
    where entity = 'timesheets'
),

delivered as (
    select landed.*
    from raw.timesheets as landed
    anti join quarantined using (_file, _row)
),

current_rows as (
    -- the latest delivery of each key
    select *
    from delivered
    qualify row_number() over (partition by entry_id order by _file desc, _row desc) = 1
)

select
    entry_id,
    employee_id,
    task_id,
    work_date,
    hours,
    _file  -- lineage: the file the current row came from
from current_rows
