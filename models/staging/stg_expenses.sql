-- stg_expenses: one row per expense_id; the current non-labour cost of projects (negative amount = refund).
-- Delivery semantics (inputs.md): rows quarantined in raw._violations are left out first; then,
-- per key, the row from the file that sorts last by path wins (_file, then _row, descending).
-- Independent of the as-of date. _file tells which file the row came from.
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

repeated_keys as (
    -- keys delivered more than once (re-sent or corrected rows): only these need ranking,
    -- which keeps large entities (timesheets) cheap
    select expense_id
    from delivered
    group by expense_id
    having count(*) > 1
),

current_rows as (
    select *
    from delivered
    anti join repeated_keys using (expense_id)
    union all
    select *
    from (
        select *
        from delivered
        semi join repeated_keys using (expense_id)
        qualify row_number() over (partition by expense_id order by _file desc, _row desc) = 1
    )
)

select
    expense_id,
    project_id,
    expense_date,
    category,
    amount,
    _file
from current_rows
