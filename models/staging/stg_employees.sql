-- stg_employees: one row per employee_id; employees from the HR system (carries personal data: full_name, email, hourly_cost).
-- Delivery semantics (inputs.md): rows quarantined in raw._violations are left out first,
-- then, per key, the row from the file that sorts last by path wins (_file, _row descending).
-- Independent of the as-of date.
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

current_rows as (
    -- the latest delivery of each key
    select *
    from delivered
    qualify row_number() over (partition by employee_id order by _file desc, _row desc) = 1
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
    _file  -- lineage: the file the current row came from
from current_rows
