-- stg_tool_rollouts: one row per (tool, department); new tools rolled out to departments.
-- Delivery semantics (inputs.md): rows quarantined in raw._violations are left out first,
-- then, per key, the row from the file that sorts last by path wins (_file, _row descending).
-- Independent of the as-of date.
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

current_rows as (
    -- the latest delivery of each key
    select *
    from delivered
    qualify row_number() over (partition by tool, department order by _file desc, _row desc) = 1
)

select
    tool,
    department,
    rollout_date,
    _file  -- lineage: the file the current row came from
from current_rows
