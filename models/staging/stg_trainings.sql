-- stg_trainings: one row per (employee_id, course, completed_on); the current completed trainings (skill = skill or tool taught).
-- Delivery semantics (inputs.md): rows quarantined in raw._violations are left out first; then,
-- per key, the row from the file that sorts last by path wins (_file, then _row, descending).
-- Independent of the as-of date. _file tells which file the row came from.
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

repeated_keys as (
    -- keys delivered more than once (re-sent or corrected rows): only these need ranking,
    -- which keeps large entities (timesheets) cheap
    select employee_id, course, completed_on
    from delivered
    group by employee_id, course, completed_on
    having count(*) > 1
),

current_rows as (
    select *
    from delivered
    anti join repeated_keys using (employee_id, course, completed_on)
    union all
    select *
    from (
        select *
        from delivered
        semi join repeated_keys using (employee_id, course, completed_on)
        qualify row_number() over (partition by employee_id, course, completed_on order by _file desc, _row desc) = 1
    )
)

select
    employee_id,
    course,
    skill,
    completed_on,
    _file
from current_rows
