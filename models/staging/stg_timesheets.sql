-- stg_timesheets: one row per entry_id; the current hours booked by employees (task_id null = not on a project).
-- Reads raw.timesheets_current: the rows that count under the delivery semantics (no broken
-- rule; per key, the row from the file sorting last), generated from the input contract
-- (docs/inputs.md); of tool exports, the latest status snapshot dated on or before the as-of
-- date, with the baseline's plan; the table is rebuilt when the as-of date passes a status
-- date (transform/models.py raw_fingerprint). _file tells which file the row came from.
select
    entry_id,
    employee_id,
    task_id,
    work_date,
    hours,
    _file
from raw.timesheets_current
