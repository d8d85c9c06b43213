-- stg_trainings: one row per (employee_id, course, completed_on); completed trainings; skill = the skill or tool taught.
-- Delivery semantics (inputs.md): rows quarantined in raw._violations are left out first,
-- then, per key, the row from the file that sorts last by path wins (_file, _row descending).
-- Independent of the as-of date.
with quarantined as (
    select _file, _row
    from raw._violations
    where entity = 'trainings'
),

delivered as (
    select landed.*
    from raw.trainings as landed
    anti join quarantined using (_file, _row)
),

current_rows as (
    -- the latest delivery of each key
    select *
    from delivered
    qualify row_number() over (partition by employee_id, course, completed_on order by _file desc, _row desc) = 1
)

select
    employee_id,
    course,
    skill,
    completed_on,
    _file  -- lineage: the file the current row came from
from current_rows
