-- stg_leave: one row per (employee_id, start_date); the current leave periods, whole days, start_date..end_date inclusive.
-- Reads raw.leave_current: the rows that count under the delivery semantics (no broken
-- rule; per key, the row from the file sorting last), generated from the input contract
-- (docs/inputs.md). Independent of the as-of date. _file tells which file the row came from.
select
    employee_id,
    start_date,
    end_date,
    leave_type,
    _file
from raw.leave_current
