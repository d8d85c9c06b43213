-- hist_task_plan: one row per task of a project on the calendar (as int_task_fractions); what
-- of the task does not depend on the as-of date: its weights, its window on the project's
-- working-day axis and the days its state changes (created, started, done). The history
-- models turn these days into running sums instead of re-reading the task once per day.
select
    tasks.task_id,
    tasks.project_id,
    tasks.created_on,
    tasks.planned_start,
    tasks.planned_end,
    tasks.actual_start,
    tasks.completed_on,
    tasks.planned_hours,
    tasks.planned_cost,
    -- a cancelled task is never in scope (status is not time-travelled, as in int_task_fractions)
    coalesce(tasks.status, '') = 'cancelled' as is_cancelled,
    -- planned fraction at d = greatest(least(W(d), planned_end_wd_through) - planned_start_wd_before, 0)
    --   / planned_working_days (W(d): the project's wd_through at d)
    planned_start_day.wd_before as planned_start_wd_before,
    planned_end_day.wd_through as planned_end_wd_through,
    greatest(planned_end_day.wd_through - planned_start_day.wd_before, 0) as planned_working_days,
    planned_start_day.wd_before - start_day.wd_before as curve_start,
    greatest(greatest(planned_end_day.wd_through - planned_start_day.wd_before, 0), 1) as curve_days
from staging.stg_tasks as tasks
inner join staging.stg_projects as projects using (project_id)
inner join intermediate.int_calendar as start_day
    on start_day.working_weekdays = projects.working_weekdays
    and start_day.day = projects.start_date
inner join intermediate.int_calendar as project_end_day
    on project_end_day.working_weekdays = projects.working_weekdays
    and project_end_day.day = projects.planned_end_date
inner join intermediate.int_calendar as planned_start_day
    on planned_start_day.working_weekdays = projects.working_weekdays
    and planned_start_day.day = tasks.planned_start
inner join intermediate.int_calendar as planned_end_day
    on planned_end_day.working_weekdays = projects.working_weekdays
    and planned_end_day.day = tasks.planned_end
