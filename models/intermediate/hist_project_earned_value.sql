-- hist_project_earned_value: int_project_earned_value for every project day of
-- hist_project_days. Each sum over the tasks in scope at d is a running sum of dated changes
-- (a task enters scope, reaches its planned end, is done, reports progress), read at d by an
-- as-of join. Inside a task's planned window its planned fraction is linear in the project's
-- working-day number k(d): (k(d) - curve_start) / planned_working_days, so the sum over the
-- tasks in their window is k(d) * sum(w / n) - sum(w * curve_start / n), two more running sums
-- (joining every task to every day of its window costs hundreds of millions of pairs at scale).
-- Sums are kept weighted by cost and by hours; the scope version at d says which one counts.
with tasks as (
    select * from intermediate.hist_task_plan
    where not is_cancelled and created_on is not null
),

progress_days as (
    -- the days a task's earned fraction can change, none before it enters scope
    select task_id, created_on as day from tasks
    union
    select task_id, greatest(actual_start, created_on) from tasks where actual_start is not null
    union
    select task_id, greatest(completed_on, created_on) from tasks where completed_on is not null
    union
    select tasks.task_id, greatest(progress.status_date, tasks.created_on)
    from tasks
    inner join staging.stg_task_progress as progress using (task_id)
    where progress.percent_complete is not null
),

reported as (
    select task_id, status_date, percent_complete
    from staging.stg_task_progress
    where percent_complete is not null
),

earned_fractions as (
    -- the earned fraction from that day on, as int_task_fractions computes it as of the day
    select
        tasks.project_id,
        tasks.task_id,
        progress_days.day,
        tasks.planned_cost,
        tasks.planned_hours,
        case
            when tasks.completed_on <= progress_days.day then 1.0
            when reported.percent_complete is not null then reported.percent_complete / 100
            when tasks.actual_start <= progress_days.day then getvariable('started_credit')::double
            else 0.0
        end as earned_fraction
    from progress_days
    inner join tasks using (task_id)
    asof left join reported
        on reported.task_id = progress_days.task_id
        and reported.status_date <= progress_days.day
),

changes as (
    -- every dated change of a running sum, one column per sum
    select
        project_id, day,
        planned_cost * (earned_fraction - coalesce(lag(earned_fraction) over task_days, 0.0))
            as earned_cost,
        planned_hours * (earned_fraction - coalesce(lag(earned_fraction) over task_days, 0.0))
            as earned_hours,
        null::double as planned_cost_full, null::double as planned_hours_full,
        null::double as cost_slope, null::double as cost_offset,
        null::double as hours_slope, null::double as hours_offset,
        null::double as planned_hours, 0 as tasks_total, null::double as planned_hours_done,
        0 as tasks_done, 0 as tasks_overdue, 0 as tasks_done_on_time, 0 as tasks_due
    from earned_fractions
    window task_days as (partition by task_id order by day)
    union all
    -- enters scope
    select project_id, created_on, null, null, null, null, null, null, null, null,
        planned_hours, 1, null, 0, 0, 0, 0
    from tasks
    union all
    -- planned fraction 1 from planned_end on (and due)
    select project_id, greatest(planned_end, created_on), null, null, planned_cost, planned_hours,
        null, null, null, null, null, 0, null, 0, 0, 0, 1
    from tasks
    union all
    -- inside the window [planned_start, planned_end) once in scope: the linear part starts ...
    select project_id, greatest(planned_start, created_on), null, null, null, null,
        planned_cost / planned_working_days, planned_cost * curve_start / planned_working_days,
        planned_hours / planned_working_days, planned_hours * curve_start / planned_working_days,
        null, 0, null, 0, 0, 0, 0
    from tasks
    where planned_working_days > 0 and greatest(planned_start, created_on) < planned_end
    union all
    -- ... and stops at planned_end, where the task's full weight takes over
    select project_id, planned_end, null, null, null, null,
        -planned_cost / planned_working_days, -planned_cost * curve_start / planned_working_days,
        -planned_hours / planned_working_days, -planned_hours * curve_start / planned_working_days,
        null, 0, null, 0, 0, 0, 0
    from tasks
    where planned_working_days > 0 and greatest(planned_start, created_on) < planned_end
    union all
    -- overdue while not done after planned_end ...
    select project_id, greatest(planned_end + 1, created_on), null, null, null, null,
        null, null, null, null, null, 0, null, 0, 1, 0, 0
    from tasks
    union all
    -- ... until done
    select project_id, greatest(planned_end + 1, created_on, completed_on), null, null, null,
        null, null, null, null, null, null, 0, null, 0, -1, 0, 0
    from tasks
    where completed_on is not null
    union all
    -- done
    select project_id, greatest(completed_on, created_on), null, null, null, null,
        null, null, null, null, null, 0, planned_hours, 1, 0, (completed_on <= planned_end)::integer, 0
    from tasks
    where completed_on is not null
),

running as (
    select
        project_id,
        day,
        sum(sum(earned_cost)) over project_days as earned_cost,
        sum(sum(earned_hours)) over project_days as earned_hours,
        sum(sum(planned_cost_full)) over project_days as planned_cost_full,
        sum(sum(planned_hours_full)) over project_days as planned_hours_full,
        sum(sum(cost_slope)) over project_days as cost_slope,
        sum(sum(cost_offset)) over project_days as cost_offset,
        sum(sum(hours_slope)) over project_days as hours_slope,
        sum(sum(hours_offset)) over project_days as hours_offset,
        sum(sum(planned_hours)) over project_days as planned_hours,
        sum(sum(tasks_total)) over project_days as tasks_total,
        sum(sum(planned_hours_done)) over project_days as planned_hours_done,
        sum(sum(tasks_done)) over project_days as tasks_done,
        sum(sum(tasks_overdue)) over project_days as tasks_overdue,
        sum(sum(tasks_done_on_time)) over project_days as tasks_done_on_time,
        sum(sum(tasks_due)) over project_days as tasks_due
    from changes
    group by project_id, day
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
                then coalesce(planned_cost_full, 0.0) + coalesce(k * cost_slope - cost_offset, 0.0)
            else coalesce(planned_hours_full, 0.0) + coalesce(k * hours_slope - hours_offset, 0.0)
        end as planned_weight,
        case
            when scope.weights_by_cost then coalesce(earned_cost, 0.0)
            else coalesce(earned_hours, 0.0)
        end as earned_weight,
        coalesce(planned_hours_full, 0.0) + coalesce(k * hours_slope - hours_offset, 0.0)
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
    coalesce(planned_hours, 0.0) as planned_hours,
    planned_hours_to_date,
    coalesce(earned_hours, 0.0) as earned_hours,
    coalesce(planned_hours_done, 0.0) as planned_hours_done,
    coalesce(tasks_total, 0)::bigint as tasks_total,
    coalesce(tasks_done, 0)::bigint as tasks_done,
    coalesce(tasks_overdue, 0)::bigint as tasks_overdue,
    coalesce(tasks_done_on_time, 0)::bigint as tasks_done_on_time,
    coalesce(tasks_due, 0)::bigint as tasks_due
from totals
