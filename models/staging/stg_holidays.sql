-- stg_holidays: one row per holiday_date; non-working days for everyone (projects and people).
-- Delivery semantics (inputs.md): rows quarantined in raw._violations are left out first,
-- then, per key, the row from the file that sorts last by path wins (_file, _row descending).
-- Independent of the as-of date.
with quarantined as (
    select _file, _row
    from raw._violations
    where entity = 'holidays'
),

delivered as (
    select landed.*
    from raw.holidays as landed
    anti join quarantined using (_file, _row)
),

current_rows as (
    -- the latest delivery of each key
    select *
    from delivered
    qualify row_number() over (partition by holiday_date order by _file desc, _row desc) = 1
)

select
    holiday_date,
    name,
    _file  -- lineage: the file the current row came from
from current_rows
