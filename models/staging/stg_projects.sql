-- stg_projects: one row per project_id; the current projects, with working_weekdays defaulted to Monday-Friday.
-- Reads raw.projects_current: the rows that count under the delivery semantics (no broken
-- rule; per key, the row from the file sorting last), generated from the input contract
-- (docs/inputs.md); of tool exports, the latest status snapshot dated on or before the as-of
-- date, with the baseline's plan; the table is rebuilt when the as-of date passes a status
-- date (transform/models.py raw_fingerprint). _file tells which file the row came from.
select
    project_id,
    project_name,
    department,
    project_manager_id,
    sponsor,
    pmo_type,
    start_date,
    planned_end_date,
    actual_end_date,
    budget,
    expected_benefit,
    realized_benefit,
    status,
    coalesce(working_weekdays, '1111100') as working_weekdays,  -- default: Monday to Friday
    _file
from raw.projects_current
