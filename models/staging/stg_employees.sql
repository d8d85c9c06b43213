-- stg_employees: one row per employee_id; the current employees from HR (personal data: full_name, email, hourly_cost).
-- Delivery semantics (inputs.md): rows quarantined in raw._violations are left out first; then,
-- per key, the row from the file that sorts last by path wins (_file, then _row, descending).
-- Independent of the as-of date. _file tells which file the row came from.
with quarantined as (
    select _file, _row
    from raw._violations
    where entity = 'employees'
),

delivered as (
    select landed.*
    from raw.employees as landed
    anti join quarantined using (_file, _row)
),

repeated_keys as (
    -- keys delivered more than once (re-sent or corrected rows): only these need ranking,
    -- which keeps large entities (timesheets) cheap
    select employee_id
    from delivered
    group by employee_id
    having count(*) > 1
),

current_rows as (
    select *
    from delivered
    anti join repeated_keys using (employee_id)
    union all
    select *
    from (
        select *
        from delivered
        semi join repeated_keys using (employee_id)
        qualify row_number() over (partition by employee_id order by _file desc, _row desc) = 1
    )
)

select
    employee_id,
    full_name,
    email,
    department,
    role,
    manager_id,
    hire_date,
    termination_date,
    hourly_cost,
    weekly_capacity_hours,
    _file
from current_rows
