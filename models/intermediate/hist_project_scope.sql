-- hist_project_scope: one row per project and scope version. The tasks in scope at d are the
-- uncancelled ones created on or before d, so scope changes only on a created_on date: version
-- valid_from holds from that day until the next version's. Per version: the EVM weight choice
-- (planned_cost when every task in scope has one, else planned_hours) and W = sum of w_t.
with scoped as (
    select * from intermediate.hist_task_plan
    where not is_cancelled and created_on is not null
),

versions as (
    select distinct project_id, created_on as valid_from from scoped
),

totals as (
    select
        versions.project_id,
        versions.valid_from,
        count(*) filter (where scoped.planned_cost is null) = 0 as weights_by_cost,
        sum(scoped.planned_cost) as cost_weight,
        sum(scoped.planned_hours) as hours_weight
    from versions
    inner join scoped
        on scoped.project_id = versions.project_id
        and scoped.created_on <= versions.valid_from
    group by versions.project_id, versions.valid_from
)

select
    project_id,
    valid_from,
    weights_by_cost,
    case when weights_by_cost then cost_weight else hours_weight end as total_weight
from totals
