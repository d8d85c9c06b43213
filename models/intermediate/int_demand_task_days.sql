-- int_demand_task_days: one row per open task and horizon day (int_horizon_days) with demand on
-- it: the remaining planned hours of the task as of D spread evenly over its remaining planned
-- working days after D (docs/kpis.md, Capacity).
-- Open task: in scope at D (created_on <= D, not cancelled), not done at D, of a project that is
-- not finished at D, not cancelled and not on hold (projects not started yet count: their work is
-- the demand ahead). remaining_hours = planned_hours * (1 - earned fraction at D).
-- Remaining planned working days: the working days of the project's calendar in
-- [max(D + 1, planned_start), planned_end]. When there is none (planned_end <= D: overdue; or a
-- window without a working day), all the remaining hours land on max(D + 1, planned_start), so
-- overdue work lands on D + 1, in the first week of the horizon.
-- skill = required_skill, or '(any)' for a task without one; department = the project's.
with horizon as (
    select min(day) as first_day, max(day) as last_day
    from intermediate.int_horizon_days
),

open_tasks as (
    select
        tasks.task_id,
        tasks.project_id,
        projects.department,
        coalesce(tasks.required_skill, '(any)') as skill,
        tasks.assignee_id,
        tasks.planned_start,
        tasks.planned_end,
        projects.working_weekdays,
        tasks.planned_end < horizon.first_day as is_overdue,
        greatest(tasks.planned_start, horizon.first_day) as window_start,
        least(tasks.planned_end, horizon.last_day) as window_end_in_horizon,
        coalesce(tasks.planned_hours, 0.0) * (1 - least(tasks.earned_fraction, 1.0)) as remaining_hours
    from intermediate.int_task_fractions as tasks
    inner join intermediate.int_projects as projects using (project_id)
    cross join horizon
    where tasks.in_scope
      and not tasks.is_done
      and not projects.is_finished
      and not projects.is_cancelled
      and coalesce(projects.status, '') <> 'on_hold'
),

windows as (
    select
        open_tasks.*,
        greatest(planned_end_day.wd_through - window_start_day.wd_before, 0) as remaining_working_days
    from open_tasks
    inner join intermediate.int_calendar as window_start_day
        on window_start_day.working_weekdays = open_tasks.working_weekdays
        and window_start_day.day = open_tasks.window_start
    inner join intermediate.int_calendar as planned_end_day
        on planned_end_day.working_weekdays = open_tasks.working_weekdays
        and planned_end_day.day = open_tasks.planned_end
    where open_tasks.remaining_hours > 0
      and open_tasks.window_start <= (select last_day from horizon)
),

horizon_calendar as (
    select calendar.working_weekdays, calendar.day
    from intermediate.int_calendar as calendar
    cross join horizon
    where calendar.is_working_day
      and calendar.day between horizon.first_day and horizon.last_day
),

spread as (
    -- remaining working days in the window: an even share each
    select
        windows.task_id,
        windows.project_id,
        windows.department,
        windows.skill,
        windows.assignee_id,
        windows.is_overdue,
        calendar.day,
        windows.remaining_hours / windows.remaining_working_days as demand_hours
    from windows
    inner join horizon_calendar as calendar
        on calendar.working_weekdays = windows.working_weekdays
        and calendar.day between windows.window_start and windows.window_end_in_horizon
    where windows.remaining_working_days > 0
    union all
    -- no working day left in the window (overdue): everything on its first day
    select
        task_id, project_id, department, skill, assignee_id, is_overdue, window_start as day,
        remaining_hours as demand_hours
    from windows
    where remaining_working_days = 0
)

select
    spread.*,
    date_trunc('week', spread.day)::date as week_start
from spread
