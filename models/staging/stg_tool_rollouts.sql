-- stg_tool_rollouts: one row per (tool, department); the current new tools rolled out to departments.
-- Delivery semantics (inputs.md): rows quarantined in raw._violations are left out first; then,
-- per key, the row from the file that sorts last by path wins (_file, then _row, descending).
-- Independent of the as-of date. _file tells which file the row came from.
with quarantined as (
    select _file, _row
    from raw._violations
    where entity = 'tool_rollouts'
),

delivered as (
    select landed.*
    from raw.tool_rollouts as landed
    anti join quarantined using (_file, _row)
),

repeated_keys as (
    -- keys delivered more than once (re-sent or corrected rows): only these need ranking,
    -- which keeps large entities (timesheets) cheap
    select tool, department
    from delivered
    group by tool, department
    having count(*) > 1
),

current_rows as (
    select *
    from delivered
    anti join repeated_keys using (tool, department)
    union all
    select *
    from (
        select *
        from delivered
        semi join repeated_keys using (tool, department)
        qualify row_number() over (partition by tool, department order by _file desc, _row desc) = 1
    )
)

select
    tool,
    department,
    rollout_date,
    _file
from current_rows
