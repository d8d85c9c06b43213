-- hist_project_earned_value: int_project_earned_value for every project day of
-- hist_project_days. Each sum over the tasks in scope at d is a running sum of the dated changes
-- of hist_project_ev_changes (a task enters scope, reaches its planned end, is done, reports
-- progress), read at d by an as-of join. Inside a task's planned window its planned fraction is
-- linear in the project's working-day number k(d): (k(d) - curve_start) / planned_working_days,
-- so the sum over the tasks in their window is k(d) * sum(w / n) - sum(w * curve_start / n), two
-- more running sums (joining every task to every day of its window costs hundreds of millions
-- of pairs at scale). Sums are kept weighted by cost and by hours; the scope version at d says
-- which one counts. The sums are exact decimals, turned into doubles once, at the end.
with changes as (
    -- a project's changes from its hist_tail day on, and the sum of those before it on the
    -- day before it (a full build has none before: it computes every day)
    select changes.*
    from intermediate.hist_project_ev_changes as changes
    inner join intermediate.hist_tail as tail using (project_id)
    where changes.day >= tail.from_day
    union all
    select
        changes.project_id,
        tail.from_day - 1,
        sum(changes.earned_cost),
        sum(changes.earned_hours),
        sum(changes.planned_cost_full),
        sum(changes.planned_hours_full),
        sum(changes.cost_slope),
        sum(changes.cost_offset),
        sum(changes.hours_slope),
        sum(changes.hours_offset),
        sum(changes.planned_hours),
        sum(changes.tasks_total),
        sum(changes.planned_hours_done),
        sum(changes.tasks_done),
        sum(changes.tasks_overdue),
        sum(changes.tasks_done_on_time),
        sum(changes.tasks_due)
    from intermediate.hist_project_ev_changes as changes
    inner join intermediate.hist_tail as tail using (project_id)
    where changes.day < tail.from_day
    group by changes.project_id, tail.from_day
),

running as (
    select
        project_id,
        day,
        sum(earned_cost) over project_days as earned_cost,
        sum(earned_hours) over project_days as earned_hours,
        sum(planned_cost_full) over project_days as planned_cost_full,
        sum(planned_hours_full) over project_days as planned_hours_full,
        sum(cost_slope) over project_days as cost_slope,
        sum(cost_offset) over project_days as cost_offset,
        sum(hours_slope) over project_days as hours_slope,
        sum(hours_offset) over project_days as hours_offset,
        sum(planned_hours) over project_days as planned_hours,
        sum(tasks_total) over project_days as tasks_total,
        sum(planned_hours_done) over project_days as planned_hours_done,
        sum(tasks_done) over project_days as tasks_done,
        sum(tasks_overdue) over project_days as tasks_overdue,
        sum(tasks_done_on_time) over project_days as tasks_done_on_time,
        sum(tasks_due) over project_days as tasks_due
    from changes
    window project_days as (partition by project_id order by day)
),

in_window as (
    -- the tasks inside their window at d: k(d) * sum(w / n) - sum(w * curve_start / n)
    select
        days.project_id,
        days.as_of,
        days.budget,
        days.as_of_wd_through - days.start_wd_before as k,
        running.* exclude (project_id, day)
    from intermediate.hist_project_days as days
    asof left join running
        on running.project_id = days.project_id and running.day <= days.as_of
),

totals as (
    select
        in_window.*,
        scope.total_weight,
        case
            when scope.weights_by_cost
                then coalesce(planned_cost_full, 0) + coalesce(k * cost_slope - cost_offset, 0)
            else coalesce(planned_hours_full, 0) + coalesce(k * hours_slope - hours_offset, 0)
        end::double as planned_weight,
        case
            when scope.weights_by_cost then coalesce(earned_cost, 0)
            else coalesce(earned_hours, 0)
        end::double as earned_weight,
        (coalesce(planned_hours_full, 0) + coalesce(k * hours_slope - hours_offset, 0))::double
            as planned_hours_to_date
    from in_window
    asof left join intermediate.hist_project_scope as scope
        on scope.project_id = in_window.project_id and scope.valid_from <= in_window.as_of
)

-- counts are running sums of integers (HUGEINT in DuckDB): back to BIGINT, as count(*) gives
select
    project_id,
    as_of,
    budget as bac,
    total_weight,
    planned_weight,
    earned_weight,
    budget * planned_weight / nullif(total_weight, 0) as pv,
    budget * earned_weight / nullif(total_weight, 0) as ev,
    coalesce(planned_hours::double, 0.0) as planned_hours,
    planned_hours_to_date,
    coalesce(earned_hours::double, 0.0) as earned_hours,
    coalesce(planned_hours_done::double, 0.0) as planned_hours_done,
    coalesce(tasks_total, 0)::bigint as tasks_total,
    coalesce(tasks_done, 0)::bigint as tasks_done,
    coalesce(tasks_overdue, 0)::bigint as tasks_overdue,
    coalesce(tasks_done_on_time, 0)::bigint as tasks_done_on_time,
    coalesce(tasks_due, 0)::bigint as tasks_due
from totals
