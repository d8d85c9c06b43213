-- int_forecast_history: one row per task the organisation finished on or before D, with the two
-- ratios the Monte Carlo forecast (kpi_forecast) draws from (docs/kpis.md, Forecast):
--   duration_ratio = wd(actual_start, completed_on) / wd(planned_start, planned_end), working days
--     of the project's calendar (a task that ran takes at least one working day);
--   effort_ratio = timesheet hours on the task up to D / planned_hours.
-- Only tasks where both are defined: in scope and done at D, actual_start <= completed_on, at
-- least one planned working day, planned_hours > 0 and some hours logged (a task with no hours
-- logged says nothing about effort). department = the project's; skill = required_skill or
-- '(any)'.
select
    tasks.task_id,
    tasks.project_id,
    projects.department,
    coalesce(tasks.required_skill, '(any)') as skill,
    tasks.completed_on,
    tasks.planned_working_days,
    greatest(completed_day.wd_through - started_day.wd_before, 1) as actual_working_days,
    greatest(completed_day.wd_through - started_day.wd_before, 1) / tasks.planned_working_days
        as duration_ratio,
    tasks.planned_hours,
    actuals.actual_hours,
    actuals.actual_hours / tasks.planned_hours as effort_ratio
from intermediate.int_task_fractions as tasks
inner join intermediate.int_projects as projects using (project_id)
inner join intermediate.int_task_actuals as actuals using (task_id)
inner join intermediate.int_calendar as started_day
    on started_day.working_weekdays = projects.working_weekdays
    and started_day.day = tasks.actual_start
inner join intermediate.int_calendar as completed_day
    on completed_day.working_weekdays = projects.working_weekdays
    and completed_day.day = tasks.completed_on
where tasks.is_done_in_scope
  and tasks.actual_start <= tasks.completed_on
  and tasks.planned_working_days > 0
  and tasks.planned_hours > 0
  and actuals.actual_hours > 0
