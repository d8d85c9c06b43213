-- stg_holidays: one row per holiday_date; the current non-working days for everyone (projects and people).
-- Reads raw.holidays_current: the rows that count under the delivery semantics (no broken
-- rule; per key, the row from the file sorting last), generated from the input contract
-- (docs/inputs.md). Independent of the as-of date. _file tells which file the row came from.
select
    holiday_date,
    name,
    _file
from raw.holidays_current
