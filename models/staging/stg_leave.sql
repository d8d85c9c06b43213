-- stg_leave: one row per (employee_id, start_date); leave periods, whole days, start_date..end_date inclusive.
-- Delivery semantics (inputs.md): rows quarantined in raw._violations are left out first,
-- then, per key, the row from the file that sorts last by path wins (_file, _row descending).
-- Independent of the as-of date.
with quarantined as (
    select _file, _row
    from raw._violations
    where entity = 'leave'
),

delivered as (
    select landed.*
    from raw.leave as landed
    anti join quarantined using (_file, _row)
),

current_rows as (
    -- the latest delivery of each key
    select *
    from delivered
    qualify row_number() over (partition by employee_id, start_date order by _file desc, _row desc) = 1
)

select
    employee_id,
    start_date,
    end_date,
    leave_type,
    _file  -- lineage: the file the current row came from
from current_rows
