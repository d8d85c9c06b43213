-- stg_expenses: one row per expense_id; non-labour cost of projects (negative amount = refund).
-- Delivery semantics (inputs.md): rows quarantined in raw._violations are left out first,
-- then, per key, the row from the file that sorts last by path wins (_file, _row descending).
-- Independent of the as-of date.
with quarantined as (
    select _file, _row
    from raw._violations
    where entity = 'expenses'
),

delivered as (
    select landed.*
    from raw.expenses as landed
    anti join quarantined using (_file, _row)
),

current_rows as (
    -- the latest delivery of each key
    select *
    from delivered
    qualify row_number() over (partition by expense_id order by _file desc, _row desc) = 1
)

select
    expense_id,
    project_id,
    expense_date,
    category,
    amount,
    _file  -- lineage: the file the current row came from
from current_rows
