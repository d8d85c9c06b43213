-- hist_project_actuals: int_project_actuals for every project day of hist_project_days:
-- labour, expenses and hours are running sums over the days they were booked, read at d by an
-- as-of join. Hours of a task count towards actual_hours_done from the day it is both done and
-- in scope, so an hour booked earlier joins that sum on that day.
-- The sums are exact decimals (to 1e-10, DuckDB adds them as 128-bit integers): their value
-- does not depend on the order the rows are added in, so the days a nightly run rebuilds alone
-- (pipelines/transform/increment.py) equal a full build's bit for bit.
with booked as (
    select
        timesheets.task_id,
        timesheets.work_date,
        sum(timesheets.hours::decimal(38, 10)) as hours,
        sum((timesheets.hours * employees.hourly_cost)::decimal(38, 10)) as labour_cost
    from staging.stg_timesheets as timesheets
    left join staging.stg_employees as employees using (employee_id)
    where timesheets.task_id is not null
    group by timesheets.task_id, timesheets.work_date
),

changes as (
    select
        tasks.project_id,
        booked.work_date as day,
        booked.hours,
        booked.labour_cost,
        null::decimal(38, 10) as hours_done,
        null::decimal(38, 10) as expense_cost
    from booked
    inner join intermediate.hist_task_plan as tasks using (task_id)
    union all
    select
        tasks.project_id,
        greatest(booked.work_date, tasks.completed_on, tasks.created_on),
        null,
        null,
        booked.hours,
        null
    from booked
    inner join intermediate.hist_task_plan as tasks using (task_id)
    where not tasks.is_cancelled and tasks.completed_on is not null and tasks.created_on is not null
    union all
    -- refunds are negative amounts and reduce the cost
    select project_id, expense_date, null, null, null, amount::decimal(38, 10)
    from staging.stg_expenses
),

running as (
    select
        project_id,
        day,
        sum(sum(hours)) over project_days as actual_hours,
        sum(sum(labour_cost)) over project_days as labour_cost,
        sum(sum(hours_done)) over project_days as actual_hours_done,
        sum(sum(expense_cost)) over project_days as expense_cost
    from changes
    group by project_id, day
    window project_days as (partition by project_id order by day)
)

select
    days.project_id,
    days.as_of,
    coalesce(running.labour_cost::double, 0.0) as labour_cost,
    coalesce(running.expense_cost::double, 0.0) as expense_cost,
    coalesce((running.labour_cost + running.expense_cost)::double,
        running.labour_cost::double, running.expense_cost::double, 0.0) as ac,
    coalesce(running.actual_hours::double, 0.0) as actual_hours,
    coalesce(running.actual_hours_done::double, 0.0) as actual_hours_done
from intermediate.hist_project_days as days
asof left join running
    on running.project_id = days.project_id and running.day <= days.as_of
