-- int_task_actuals: one row per task with timesheet hours on or before D; actual hours and
-- labour cost (hours * the employee's hourly_cost) of the task as of D. The labour cost is
-- unknown (null) when some of the hours were booked by someone without an hourly cost
-- (uncosted_hours): a sum without them would be too low.
select
    timesheets.task_id,
    sum(timesheets.hours) as actual_hours,
    sum(timesheets.hours) filter (where employees.hourly_cost is null) as uncosted_hours,
    case when count(*) filter (where employees.hourly_cost is null) = 0
         then sum(timesheets.hours * employees.hourly_cost) end as labour_cost,
    min(timesheets.work_date) as first_work_date,
    max(timesheets.work_date) as last_work_date
from staging.stg_timesheets as timesheets
cross join intermediate.int_date_bounds as bounds
left join staging.stg_employees as employees using (employee_id)
where timesheets.work_date <= bounds.as_of
  and timesheets.task_id is not null
group by timesheets.task_id
