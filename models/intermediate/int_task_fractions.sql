-- int_task_fractions: one row per task (of a known project); the task as of D: in scope,
-- done, EVM weight w_t, planned and earned fraction, and its window on the project's
-- working-day axis (curve_start = working days of the project before planned_start,
-- curve_days = working days it accrues planned value over).
with tasks as (
    select
        tasks.*,
        projects.working_weekdays,
        projects.start_wd_before as project_start_wd_before,
        projects.as_of
    from staging.stg_tasks as tasks
    inner join intermediate.int_projects as projects using (project_id)
),

latest_progress as (
    -- the latest percent-complete report on or before D (reports without a value are skipped)
    select
        progress.task_id,
        arg_max(progress.percent_complete, progress.status_date) as percent_complete
    from staging.stg_task_progress as progress
    cross join intermediate.int_date_bounds as bounds
    where progress.status_date <= bounds.as_of
      and progress.percent_complete is not null
    group by progress.task_id
),

on_calendar as (
    -- working-day counts on the project's calendar: wd(a, b) = wd_through(b) - wd_before(a)
    select
        tasks.*,
        planned_start_day.wd_before as planned_start_wd_before,
        greatest(planned_end_day.wd_through - planned_start_day.wd_before, 0)
            as planned_working_days,
        greatest(
            least(as_of_day.wd_through, planned_end_day.wd_through)
                - planned_start_day.wd_before,
            0
        ) as planned_working_days_to_date
    from tasks
    inner join intermediate.int_calendar as planned_start_day
        on planned_start_day.working_weekdays = tasks.working_weekdays
        and planned_start_day.day = tasks.planned_start
    inner join intermediate.int_calendar as planned_end_day
        on planned_end_day.working_weekdays = tasks.working_weekdays
        and planned_end_day.day = tasks.planned_end
    inner join intermediate.int_calendar as as_of_day
        on as_of_day.working_weekdays = tasks.working_weekdays
        and as_of_day.day = tasks.as_of
),

flagged as (
    select
        on_calendar.*,
        latest_progress.percent_complete as latest_percent_complete,
        on_calendar.created_on <= on_calendar.as_of
            and coalesce(on_calendar.status, '') <> 'cancelled' as in_scope,
        coalesce(on_calendar.completed_on <= on_calendar.as_of, false) as is_done,
        coalesce(on_calendar.actual_start <= on_calendar.as_of, false) as is_started
    from on_calendar
    left join latest_progress using (task_id)
),

weighted as (
    select
        flagged.*,
        -- w_t: planned_cost when every in-scope task of the project has one, else planned_hours
        coalesce(
            bool_and(planned_cost is not null) filter (where in_scope)
                over (partition by project_id),
            false
        ) as project_weights_by_cost
    from flagged
)

select
    task_id,
    project_id,
    task_name,
    assignee_id,
    required_skill,
    required_skill_level,
    tool,
    status,
    created_on,
    planned_start,
    planned_end,
    actual_start,
    completed_on,
    planned_hours,
    planned_cost,
    as_of,
    in_scope,
    is_done,
    is_started,
    in_scope and is_done as is_done_in_scope,
    case when project_weights_by_cost then planned_cost else planned_hours end as weight,
    planned_working_days,
    case
        when planned_working_days = 0 then (as_of >= planned_end)::integer::double
        else planned_working_days_to_date / planned_working_days
    end as planned_fraction,
    case
        when is_done then 1.0
        when latest_percent_complete is not null then latest_percent_complete / 100
        when is_started then getvariable('started_credit')::double
        else 0.0
    end as earned_fraction,
    -- planned value of the task accrues over working days k in (curve_start, curve_start +
    -- curve_days] of the project (k = 1 is the first working day on or after start_date);
    -- a task with no working day in its window is 1 from the first working day after it
    planned_start_wd_before - project_start_wd_before as curve_start,
    greatest(planned_working_days, 1) as curve_days
from weighted
