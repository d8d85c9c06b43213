-- stg_task_progress: one row per (task_id, status_date); the current percent-complete reports of tasks.
-- Delivery semantics (inputs.md): rows quarantined in raw._violations are left out first; then,
-- per key, the row from the file that sorts last by path wins (_file, then _row, descending).
-- Independent of the as-of date. _file tells which file the row came from.
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

repeated_keys as (
    -- keys delivered more than once (re-sent or corrected rows): only these need ranking,
    -- which keeps large entities (timesheets) cheap
    select task_id, status_date
    from delivered
    group by task_id, status_date
    having count(*) > 1
),

current_rows as (
    select *
    from delivered
    anti join repeated_keys using (task_id, status_date)
    union all
    select *
    from (
        select *
        from delivered
        semi join repeated_keys using (task_id, status_date)
        qualify row_number() over (partition by task_id, status_date order by _file desc, _row desc) = 1
    )
)

select
    task_id,
    status_date,
    percent_complete,
    _file
from current_rows
