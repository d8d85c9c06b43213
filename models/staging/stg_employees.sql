-- stg_employees: one row per employee_id; the current employees from HR (personal data: full_name, email, hourly_cost).
-- Reads raw.employees_current: the rows that count under the delivery semantics (no broken
-- rule; per key, the row from the file sorting last), generated from the input contract
-- (docs/inputs.md); of tool exports, the latest status snapshot dated on or before the as-of
-- date, with the baseline's plan; the table is rebuilt when the as-of date passes a status
-- date (transform/models.py raw_fingerprint). _file tells which file the row came from.
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
from raw.employees_current
