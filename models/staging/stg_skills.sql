-- stg_skills: one row per (employee_id, skill); assessed skill levels of employees.
-- Delivery semantics (inputs.md): rows quarantined in raw._violations are left out first,
-- then, per key, the row from the file that sorts last by path wins (_file, _row descending).
-- Independent of the as-of date.
with quarantined as (
    select _file, _row
    from raw._violations
    where entity = 'skills'
),

delivered as (
    select landed.*
    from raw.skills as landed
    anti join quarantined using (_file, _row)
),

current_rows as (
    -- the latest delivery of each key
    select *
    from delivered
    qualify row_number() over (partition by employee_id, skill order by _file desc, _row desc) = 1
)

select
    employee_id,
    skill,
    level,
    assessed_on,
    _file  -- lineage: the file the current row came from
from current_rows
