-- hist_project_pv_curve: int_project_pv_curve for every scope version of hist_project_scope
-- (one row per project, version valid_from and breakpoint k): the earned-schedule curve is over
-- the tasks in scope at d, which are those of the version d falls in. Same pieces, same
-- breakpoints as int_project_pv_curve; see there for why.
with scheduled_tasks as (
    select
        scope.project_id,
        scope.valid_from,
        case when scope.weights_by_cost then tasks.planned_cost else tasks.planned_hours end
            as weight,
        tasks.curve_start,
        tasks.curve_days
    from intermediate.hist_project_scope as scope
    inner join intermediate.hist_task_plan as tasks
        on tasks.project_id = scope.project_id
        and tasks.created_on <= scope.valid_from
        and not tasks.is_cancelled
),

accrual_pieces as (
    select project_id, valid_from, curve_start as from_k, curve_start + curve_days as to_k,
        weight / curve_days as per_day
    from scheduled_tasks
    where curve_start >= 0
    union all
    select project_id, valid_from, 0 as from_k, 1 as to_k,
        weight * least(1.0, -curve_start / curve_days) as per_day
    from scheduled_tasks
    where curve_start < 0
    union all
    select project_id, valid_from, 0 as from_k, curve_start + curve_days as to_k,
        weight / curve_days as per_day
    from scheduled_tasks
    where curve_start < 0 and curve_start + curve_days > 0
),

slope_changes as (
    select project_id, valid_from, from_k as k, per_day as slope_change from accrual_pieces
    union all
    select project_id, valid_from, to_k as k, -per_day as slope_change from accrual_pieces
    union all
    select distinct project_id, valid_from, 0 as k, 0.0 as slope_change from scheduled_tasks
),

breakpoints as (
    select project_id, valid_from, k, sum(slope_change) as slope_change
    from slope_changes
    group by project_id, valid_from, k
),

slopes as (
    select
        project_id,
        valid_from,
        k,
        lead(k) over version_axis as next_k,
        sum(slope_change) over version_axis as running_slope
    from breakpoints
    window version_axis as (partition by project_id, valid_from order by k)
),

clean_slopes as (
    select
        project_id,
        valid_from,
        k,
        next_k,
        case when next_k is null then 0.0 else greatest(running_slope, 0.0) end as slope
    from slopes
)

select
    project_id,
    valid_from,
    k,
    next_k,
    coalesce(
        sum(slope * (next_k - k)) over (
            partition by project_id, valid_from order by k
            rows between unbounded preceding and 1 preceding
        ),
        0.0
    ) as planned_weight,
    slope,
    lag(slope) over (partition by project_id, valid_from order by k) as slope_before
from clean_slopes
