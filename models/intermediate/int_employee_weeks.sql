-- int_employee_weeks: one row per employee and ISO week (week_start = Monday) from the week of
-- the first data date to the week of D, for every week in which the employee is employed on at
-- least one day up to D or logged hours: available, project and total hours (days <= D),
-- utilization = project / available hours, over_allocated = total > available hours.
with bounds as (
    select as_of, first_week_start
    from intermediate.int_date_bounds
    where first_week_start is not null  -- no timesheet and no project started: no weeks
),

employment_weeks as (
    select
        employees.employee_id,
        unnest(generate_series(
            greatest(bounds.first_week_start, date_trunc('week', employees.hire_date)::date),
            least(
                date_trunc('week', bounds.as_of)::date,
                date_trunc('week', coalesce(employees.termination_date, bounds.as_of))::date
            ),
            interval 7 day
        ))::date as week_start
    from staging.stg_employees as employees
    cross join bounds
    where employees.hire_date <= bounds.as_of
),

week_hours as (
    select
        days.employee_id,
        days.week_start,
        sum(days.available_hours) as available_hours,
        sum(days.project_hours) as project_hours,
        sum(days.total_hours) as total_hours,
        count(*) filter (where days.is_available) as available_days
    from intermediate.int_employee_days as days
    cross join bounds
    where days.week_start >= bounds.first_week_start
    group by days.employee_id, days.week_start
),

employee_weeks as (
    -- days in week_hours are available (so employed) or carry logged hours
    select employee_id, week_start from employment_weeks
    union
    select employee_id, week_start from week_hours
)

select
    employee_weeks.employee_id,
    employees.department,
    employee_weeks.week_start,
    coalesce(week_hours.available_days, 0) as available_days,
    coalesce(week_hours.available_hours, 0.0) as available_hours,
    coalesce(week_hours.project_hours, 0.0) as project_hours,
    coalesce(week_hours.total_hours, 0.0) as total_hours,
    week_hours.project_hours / nullif(week_hours.available_hours, 0) as utilization,
    coalesce(week_hours.total_hours, 0.0) > coalesce(week_hours.available_hours, 0.0)
        as over_allocated
from employee_weeks
left join week_hours using (employee_id, week_start)
left join staging.stg_employees as employees using (employee_id)
