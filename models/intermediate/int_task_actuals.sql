-- int_task_actuals: one row per task with timesheet hours on or before D; actual hours and
-- labour cost (hours * the employee's hourly_cost) of the task as of D.
select
    timesheets.task_id,
    sum(timesheets.hours) as actual_hours,
    sum(timesheets.hours * employees.hourly_cost) as labour_cost,
    min(timesheets.work_date) as first_work_date,
    max(timesheets.work_date) as last_work_date
from staging.stg_timesheets as timesheets
cross join intermediate.int_date_bounds as bounds
left join staging.stg_employees as employees using (employee_id)
where timesheets.work_date <= bounds.as_of
  and timesheets.task_id is not null
group by timesheets.task_id
