-- stg_projects: one row per project_id; the current version of each project, working_weekdays defaulted to Monday-Friday.
-- Delivery semantics (inputs.md): rows quarantined in raw._violations are left out first,
-- then, per key, the row from the file that sorts last by path wins (_file, _row descending).
-- Independent of the as-of date.
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

current_rows as (
    -- the latest delivery of each key
    select *
    from delivered
    qualify row_number() over (partition by project_id order by _file desc, _row desc) = 1
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
    _file  -- lineage: the file the current row came from
from current_rows
