-- stg_expenses: one row per expense_id; the current non-labour cost of projects (negative amount = refund).
-- Reads raw.expenses_current: the rows that count under the delivery semantics (no broken
-- rule; per key, the row from the file sorting last), generated from the input contract
-- (docs/inputs.md); of tool exports, the latest status snapshot dated on or before the as-of
-- date, with the baseline's plan; the table is rebuilt when the as-of date passes a status
-- date (transform/models.py raw_fingerprint). _file tells which file the row came from.
select
    expense_id,
    project_id,
    expense_date,
    category,
    amount,
    _file
from raw.expenses_current
