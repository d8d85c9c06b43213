-- stg_timesheets: one row per entry_id; the current hours booked by employees (task_id null = not on a project).
-- Delivery semantics (inputs.md): rows quarantined in raw._violations are left out first; then,
-- per key, the row from the file that sorts last by path wins (_file, then _row, descending).
-- Independent of the as-of date. _file tells which file the row came from.
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

repeated_keys as (
    -- keys delivered more than once (re-sent or corrected rows): only these need ranking,
    -- which keeps large entities (timesheets) cheap
    select entry_id
    from delivered
    group by entry_id
    having count(*) > 1
),

current_rows as (
    select *
    from delivered
    anti join repeated_keys using (entry_id)
    union all
    select *
    from (
        select *
        from delivered
        semi join repeated_keys using (entry_id)
        qualify row_number() over (partition by entry_id order by _file desc, _row desc) = 1
    )
)

select
    entry_id,
    employee_id,
    task_id,
    work_date,
    hours,
    _file
from current_rows
