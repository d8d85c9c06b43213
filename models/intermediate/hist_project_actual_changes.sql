-- hist_project_actual_changes: per project and day, what that day adds to the running sums of
-- hist_project_actuals: hours and labour booked, hours booked by people without an hourly
-- cost (their labour is unknown), hours of tasks that count as done from that day on,
-- expenses. An hour of a task counts towards the hours done from the day the task is both
-- done and in scope, so an hour booked earlier is added on that day.
-- Only days from the project's hist_tail day on: a nightly run adds a day's change and keeps
-- the rest. The amounts are exact decimals (to 1e-10; DuckDB adds them as 128-bit integers), so
-- a sum does not depend on the order or the grouping of its rows: a nightly run's sums equal a
-- full build's bit for bit.
with tasks as (
    select plan.task_id, plan.project_id, plan.created_on, plan.completed_on, plan.is_cancelled,
        tail.from_day
    from intermediate.hist_task_plan as plan
    inner join intermediate.hist_tail as tail using (project_id)
),

booked as (
    -- hours of the tail days, and every hour of a task done (or in scope) in the tail
    select
        tasks.project_id,
        timesheets.task_id,
        timesheets.work_date,
        sum(timesheets.hours::decimal(38, 10)) as hours,
        sum((timesheets.hours * employees.hourly_cost)::decimal(38, 10)) as labour_cost,
        sum(timesheets.hours::decimal(38, 10)) filter (where employees.hourly_cost is null)
            as uncosted_hours
    from staging.stg_timesheets as timesheets
    inner join tasks using (task_id)
    left join staging.stg_employees as employees using (employee_id)
    where timesheets.work_date >= tasks.from_day
        or (not tasks.is_cancelled and greatest(tasks.completed_on, tasks.created_on) >= tasks.from_day)
    group by tasks.project_id, timesheets.task_id, timesheets.work_date
),

changes as (
    select project_id, work_date as day, hours, labour_cost, uncosted_hours,
        null::decimal(38, 10) as hours_done, null::decimal(38, 10) as expense_cost
    from booked
    union all
    select
        tasks.project_id,
        greatest(booked.work_date, tasks.completed_on, tasks.created_on),
        null,
        null,
        null,
        booked.hours,
        null
    from booked
    inner join tasks using (task_id)
    where not tasks.is_cancelled and tasks.completed_on is not null and tasks.created_on is not null
    union all
    -- refunds are negative amounts and reduce the cost
    select expenses.project_id, expenses.expense_date, null, null, null, null,
        expenses.amount::decimal(38, 10)
    from staging.stg_expenses as expenses
    inner join intermediate.hist_tail as tail using (project_id)
    where expenses.expense_date >= tail.from_day
)

select
    changes.project_id,
    changes.day,
    sum(changes.hours) as hours,
    sum(changes.labour_cost) as labour_cost,
    sum(changes.uncosted_hours) as uncosted_hours,
    sum(changes.hours_done) as hours_done,
    sum(changes.expense_cost) as expense_cost
from changes
inner join intermediate.hist_tail as tail using (project_id)
where changes.day >= tail.from_day
group by changes.project_id, changes.day
