-- stg_trainings: one row per (employee_id, course, completed_on); the current completed trainings (skill = skill or tool taught).
-- Reads raw.trainings_current: the rows that count under the delivery semantics (no broken
-- rule; per key, the row from the file sorting last), generated from the input contract
-- (docs/inputs.md). Independent of the as-of date. _file tells which file the row came from.
select
    employee_id,
    course,
    skill,
    completed_on,
    _file
from raw.trainings_current
