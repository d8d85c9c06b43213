-- int_date_bounds: one row; the as-of date D and the date spans the other models work in.
-- first_data_date: earliest timesheet or project start on or before D (utilization weeks start
-- at its ISO week); availability_start: first day of employee-day availability (that week, or
-- earlier when a trailing KPI window reaches further back); calendar_start/end: span of the
-- working-day calendar (project and task plan dates, timesheets, the availability window, D and
-- every holiday, with a week of margin).
with as_of_date as (
    select getvariable('as_of')::date as as_of
),

timesheet_span as (
    select
        min(work_date) filter (where work_date <= as_of) as first_work_date,
        min(work_date) as min_work_date,
        max(work_date) as max_work_date
    from staging.stg_timesheets
    cross join as_of_date
),

project_span as (
    select
        min(start_date) filter (where start_date <= as_of) as first_start_date,
        min(start_date) as min_date,
        max(greatest(start_date, planned_end_date, actual_end_date)) as max_date
    from staging.stg_projects
    cross join as_of_date
),

task_span as (
    -- the task dates that working days are counted between
    select
        min(least(planned_start, planned_end)) as min_date,
        max(greatest(planned_start, planned_end)) as max_date
    from staging.stg_tasks
),

holiday_span as (
    select max(holiday_date) as last_holiday
    from staging.stg_holidays
),

bounds as (
    select
        as_of_date.as_of,
        least(timesheet_span.first_work_date, project_span.first_start_date) as first_data_date,
        -- the longest trailing window over employee-days: 28 days (portfolio) or the people window
        as_of_date.as_of - (greatest(28, getvariable('people_window_days')::integer) - 1)
            as window_start,
        least(project_span.min_date, task_span.min_date, timesheet_span.min_work_date)
            as min_date,
        greatest(
            project_span.max_date, task_span.max_date, timesheet_span.max_work_date,
            holiday_span.last_holiday
        ) as max_date
    from as_of_date, timesheet_span, project_span, task_span, holiday_span
)

select
    as_of,
    first_data_date,
    date_trunc('week', first_data_date)::date as first_week_start,
    least(date_trunc('week', first_data_date)::date, window_start) as availability_start,
    least(min_date, window_start) - 7 as calendar_start,
    -- no holiday after calendar_end: later working days follow the weekly pattern alone
    greatest(max_date, as_of) + 7 as calendar_end
from bounds
