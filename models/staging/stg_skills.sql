-- stg_skills: one row per (employee_id, skill); the current assessed skill levels of employees.
-- Reads raw.skills_current: the rows that count under the delivery semantics (no broken
-- rule; per key, the row from the file sorting last), generated from the input contract
-- (docs/inputs.md). Independent of the as-of date. _file tells which file the row came from.
select
    employee_id,
    skill,
    level,
    assessed_on,
    _file
from raw.skills_current
