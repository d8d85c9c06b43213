-- int_project_pv_curve: one row per project and breakpoint k of its planned-value curve for
-- earned schedule, over the tasks in scope at D, in weight units (sum of w_t * planned fraction
-- at the k-th working day on or after start_date; times BAC / W gives PV(k)).
-- Between breakpoints the curve is a straight line: PV(k) = planned_weight + slope * (k - k0)
-- for k0 <= k <= next_k, so a project needs a few rows per task, not one per task and day.
-- k = 0 is always a breakpoint with planned_weight 0 (PV(0) = 0).
with scheduled_tasks as (
    select project_id, weight, curve_start, curve_days
    from intermediate.int_task_fractions
    where in_scope
),

accrual_pieces as (
    -- each piece adds per_day on every working day k in (from_k, to_k]
    select
        project_id,
        curve_start as from_k,
        curve_start + curve_days as to_k,
        weight / curve_days as per_day
    from scheduled_tasks
    where curve_start >= 0
    union all
    -- a task planned (partly) before start_date: what it accrued by then shows at k = 1,
    -- since PV(0) = 0 by definition ...
    select
        project_id,
        0 as from_k,
        1 as to_k,
        weight * least(1.0, -curve_start / curve_days) as per_day
    from scheduled_tasks
    where curve_start < 0
    union all
    -- ... and the rest accrues from start_date on
    select
        project_id,
        0 as from_k,
        curve_start + curve_days as to_k,
        weight / curve_days as per_day
    from scheduled_tasks
    where curve_start < 0 and curve_start + curve_days > 0
),

slope_changes as (
    select project_id, from_k as k, per_day as slope_change from accrual_pieces
    union all
    select project_id, to_k as k, -per_day as slope_change from accrual_pieces
    union all
    select distinct project_id, 0 as k, 0.0 as slope_change from scheduled_tasks
),

breakpoints as (
    select project_id, k, sum(slope_change) as slope_change
    from slope_changes
    group by project_id, k
),

slopes as (
    select
        project_id,
        k,
        lead(k) over project_axis as next_k,
        sum(slope_change) over project_axis as running_slope
    from breakpoints
    window project_axis as (partition by project_id order by k)
),

clean_slopes as (
    -- the slope is never negative and is 0 after the last breakpoint (removes rounding noise)
    select
        project_id,
        k,
        next_k,
        case when next_k is null then 0.0 else greatest(running_slope, 0.0) end as slope
    from slopes
)

select
    project_id,
    k,
    next_k,
    coalesce(
        sum(slope * (next_k - k)) over (
            partition by project_id order by k
            rows between unbounded preceding and 1 preceding
        ),
        0.0
    ) as planned_weight,
    slope,
    lag(slope) over (partition by project_id order by k) as slope_before
from clean_slopes
