-- stg_holidays: one row per holiday_date; the current non-working days for everyone (projects and people).
-- Delivery semantics (inputs.md): rows quarantined in raw._violations are left out first; then,
-- per key, the row from the file that sorts last by path wins (_file, then _row, descending).
-- Independent of the as-of date. _file tells which file the row came from.
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

repeated_keys as (
    -- keys delivered more than once (re-sent or corrected rows): only these need ranking,
    -- which keeps large entities (timesheets) cheap
    select holiday_date
    from delivered
    group by holiday_date
    having count(*) > 1
),

current_rows as (
    select *
    from delivered
    anti join repeated_keys using (holiday_date)
    union all
    select *
    from (
        select *
        from delivered
        semi join repeated_keys using (holiday_date)
        qualify row_number() over (partition by holiday_date order by _file desc, _row desc) = 1
    )
)

select
    holiday_date,
    name,
    _file
from current_rows
