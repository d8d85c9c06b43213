-- stg_projects: one row per project_id; the current projects, with working_weekdays defaulted to Monday-Friday.
-- Delivery semantics (inputs.md): rows quarantined in raw._violations are left out first; then,
-- per key, the row from the file that sorts last by path wins (_file, then _row, descending).
-- Independent of the as-of date. _file tells which file the row came from.
with quarantined as (
    select _file, _row
    from raw._violations
    where entity = 'projects'
),

delivered as (
    select landed.*
    from raw.projects as landed
    anti join quarantined using (_file, _row)
),

repeated_keys as (
    -- keys delivered more than once (re-sent or corrected rows): only these need ranking,
    -- which keeps large entities (timesheets) cheap
    select project_id
    from delivered
    group by project_id
    having count(*) > 1
),

current_rows as (
    select *
    from delivered
    anti join repeated_keys using (project_id)
    union all
    select *
    from (
        select *
        from delivered
        semi join repeated_keys using (project_id)
        qualify row_number() over (partition by project_id order by _file desc, _row desc) = 1
    )
)

select
    project_id,
    project_name,
    department,
    project_manager_id,
    sponsor,
    pmo_type,
    start_date,
    planned_end_date,
    actual_end_date,
    budget,
    expected_benefit,
    realized_benefit,
    status,
    coalesce(working_weekdays, '1111100') as working_weekdays,  -- default: Monday to Friday
    _file
from current_rows
