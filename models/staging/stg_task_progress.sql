-- stg_task_progress: one row per (task_id, status_date); the current percent-complete reports of tasks.
-- Reads raw.task_progress_current: the rows that count under the delivery semantics (no broken
-- rule; per key, the row from the file sorting last), generated from the input contract
-- (docs/inputs.md). Independent of the as-of date. _file tells which file the row came from.
select
    task_id,
    status_date,
    percent_complete,
    _file
from raw.task_progress_current
