-- int_employee_days: one row per employee and day (availability_start..D) on which the
-- employee is available or logged hours. Available = a people working day (Monday to Friday
-- minus holidays) on which the employee is employed (hire_date..termination_date) and not on
-- leave; available_hours = weekly_capacity_hours / 5 then. Project hours are hours with a task.
with bounds as (
    select as_of, availability_start
    from intermediate.int_date_bounds
),

people_working_days as (
    select calendar.day
    from intermediate.int_calendar as calendar
    cross join bounds
    where calendar.working_weekdays = '1111100'  -- the people calendar
      and calendar.is_working_day
      and calendar.day between bounds.availability_start and bounds.as_of
),

employed_days as (
    select
        employees.employee_id,
        people_working_days.day,
        employees.weekly_capacity_hours / 5 as available_hours
    from staging.stg_employees as employees
    inner join people_working_days
        on people_working_days.day
        between employees.hire_date and coalesce(employees.termination_date, date '9999-12-31')
),

available_days as (
    select employed_days.*
    from employed_days
    anti join intermediate.int_leave_days using (employee_id, day)
),

logged_days as (
    select
        timesheets.employee_id,
        timesheets.work_date as day,
        coalesce(sum(timesheets.hours) filter (where timesheets.task_id is not null), 0.0)
            as project_hours,
        sum(timesheets.hours) as total_hours
    from staging.stg_timesheets as timesheets
    cross join bounds
    where timesheets.work_date between bounds.availability_start and bounds.as_of
    group by timesheets.employee_id, timesheets.work_date
)

select
    employee_id,
    employees.department,
    day,
    date_trunc('week', day)::date as week_start,
    available_days.employee_id is not null as is_available,
    coalesce(available_days.available_hours, 0.0) as available_hours,
    coalesce(logged_days.project_hours, 0.0) as project_hours,
    coalesce(logged_days.total_hours, 0.0) as total_hours
from available_days
full join logged_days using (employee_id, day)
left join staging.stg_employees as employees using (employee_id)
