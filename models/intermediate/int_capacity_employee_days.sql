-- int_capacity_employee_days: one row per employee and horizon day (int_horizon_days) on which
-- the employee is employed (hire_date <= day, no termination_date or day <= termination_date).
-- capacity_hours = weekly_capacity_hours / 5 on a people working day (Monday to Friday minus
-- holidays) the employee is not on leave (leave already booked: every stg_leave row), else 0;
-- the same formula as available_hours in int_employee_days / kpi_utilization, for days after D.
select
    employees.employee_id,
    employees.department,
    days.day,
    days.week_start,
    days.is_people_working_day and leave_days.employee_id is null as is_available,
    leave_days.employee_id is not null as is_on_leave,
    case
        when days.is_people_working_day and leave_days.employee_id is null
            then employees.weekly_capacity_hours / 5
        else 0.0
    end as capacity_hours
from staging.stg_employees as employees
inner join intermediate.int_horizon_days as days
    on days.day between employees.hire_date
    and coalesce(employees.termination_date, date '9999-12-31')
left join intermediate.int_leave_days as leave_days
    on leave_days.employee_id = employees.employee_id
    and leave_days.day = days.day
