-- hist_project_ev_changes: per project and day, what that day adds to each running sum of
-- hist_project_earned_value: a task enters scope, starts its planned window, reaches its
-- planned end, is overdue, is done, or its earned fraction changes (it starts, reports
-- progress, is done). Sums are kept weighted by cost and by hours.
-- Only days from the project's hist_tail day on: a nightly run adds a day's changes and keeps
-- the rest. An earned fraction's change is its value minus the one before; for a task already
-- in scope before the tail, that one is its value the day before the tail (a fraction only
-- changes on the days listed in progress_days). Amounts are exact decimals so that a running
-- sum does not depend on how its rows are grouped: a nightly run's sums equal a full build's bit
-- for bit. They keep 18 decimals: a slope (weight per working day) is multiplied by up to
-- thousands of days and summed over hundreds of tasks before PV subtracts what is nearly its
-- equal, and 10 decimals put 1e-5 of error into SV at the large scale.
with tasks as (
    select plan.*, tail.from_day
    from intermediate.hist_task_plan as plan
    inner join intermediate.hist_tail as tail using (project_id)
    where not plan.is_cancelled and plan.created_on is not null
),

tail_days as (
    -- the days from the tail on that a task's earned fraction can change, none before it
    -- enters scope
    select task_id, from_day, created_on as day from tasks
    union
    select task_id, from_day, greatest(actual_start, created_on)
    from tasks where actual_start is not null
    union
    select task_id, from_day, greatest(completed_on, created_on)
    from tasks where completed_on is not null
    union
    select tasks.task_id, tasks.from_day, greatest(progress.status_date, tasks.created_on)
    from tasks
    inner join staging.stg_task_progress as progress using (task_id)
    where progress.percent_complete is not null
        and greatest(progress.status_date, tasks.created_on) >= tasks.from_day
),

progress_days as (
    select task_id, day from tail_days where day >= from_day
    union
    -- the day before the tail of a task in scope before it: the fraction its changes start from
    select task_id, from_day - 1
    from tasks
    where created_on < from_day
        and task_id in (select task_id from tail_days where day >= from_day)
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
        (planned_cost * (earned_fraction - coalesce(lag(earned_fraction) over task_days, 0.0)))
            ::decimal(38, 18) as earned_cost,
        (planned_hours * (earned_fraction - coalesce(lag(earned_fraction) over task_days, 0.0)))
            ::decimal(38, 18) as earned_hours,
        null::decimal(38, 18) as planned_cost_full, null::decimal(38, 18) as planned_hours_full,
        null::decimal(38, 18) as cost_slope, null::decimal(38, 18) as cost_offset,
        null::decimal(38, 18) as hours_slope, null::decimal(38, 18) as hours_offset,
        null::decimal(38, 18) as planned_hours, 0 as tasks_total,
        null::decimal(38, 18) as planned_hours_done,
        0 as tasks_done, 0 as tasks_overdue, 0 as tasks_done_on_time, 0 as tasks_due
    from earned_fractions
    window task_days as (partition by task_id order by day)
    union all
    -- enters scope
    select project_id, created_on, null, null, null, null, null, null, null, null,
        planned_hours::decimal(38, 18), 1, null, 0, 0, 0, 0
    from tasks
    union all
    -- planned fraction 1 from planned_end on (and due)
    select project_id, greatest(planned_end, created_on), null, null,
        planned_cost::decimal(38, 18), planned_hours::decimal(38, 18),
        null, null, null, null, null, 0, null, 0, 0, 0, 1
    from tasks
    union all
    -- inside the window [planned_start, planned_end) once in scope: the linear part starts ...
    select project_id, greatest(planned_start, created_on), null, null, null, null,
        (planned_cost / planned_working_days)::decimal(38, 18),
        (planned_cost * curve_start / planned_working_days)::decimal(38, 18),
        (planned_hours / planned_working_days)::decimal(38, 18),
        (planned_hours * curve_start / planned_working_days)::decimal(38, 18),
        null, 0, null, 0, 0, 0, 0
    from tasks
    where planned_working_days > 0 and greatest(planned_start, created_on) < planned_end
    union all
    -- ... and stops at planned_end, where the task's full weight takes over
    select project_id, planned_end, null, null, null, null,
        -(planned_cost / planned_working_days)::decimal(38, 18),
        -(planned_cost * curve_start / planned_working_days)::decimal(38, 18),
        -(planned_hours / planned_working_days)::decimal(38, 18),
        -(planned_hours * curve_start / planned_working_days)::decimal(38, 18),
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
        null, null, null, null, null, 0, planned_hours::decimal(38, 18), 1, 0,
        (completed_on <= planned_end)::integer, 0
    from tasks
    where completed_on is not null
)

select
    changes.project_id,
    changes.day,
    sum(earned_cost) as earned_cost,
    sum(earned_hours) as earned_hours,
    sum(planned_cost_full) as planned_cost_full,
    sum(planned_hours_full) as planned_hours_full,
    sum(cost_slope) as cost_slope,
    sum(cost_offset) as cost_offset,
    sum(hours_slope) as hours_slope,
    sum(hours_offset) as hours_offset,
    sum(planned_hours) as planned_hours,
    sum(tasks_total) as tasks_total,
    sum(planned_hours_done) as planned_hours_done,
    sum(tasks_done) as tasks_done,
    sum(tasks_overdue) as tasks_overdue,
    sum(tasks_done_on_time) as tasks_done_on_time,
    sum(tasks_due) as tasks_due
from changes
inner join intermediate.hist_tail as tail using (project_id)
where changes.day >= tail.from_day
group by changes.project_id, changes.day
