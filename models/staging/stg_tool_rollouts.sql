-- stg_tool_rollouts: one row per (tool, department); the current new tools rolled out to departments.
-- Reads raw.tool_rollouts_current: the rows that count under the delivery semantics (no broken
-- rule; per key, the row from the file sorting last), generated from the input contract
-- (docs/inputs.md). Independent of the as-of date. _file tells which file the row came from.
select
    tool,
    department,
    rollout_date,
    _file
from raw.tool_rollouts_current
