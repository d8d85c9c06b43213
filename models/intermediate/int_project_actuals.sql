-- int_project_actuals: one row per project; actual cost (AC = labour + expenses) and actual
-- hours as of D. Hours and labour count on every task of the project, cancelled or not.
-- Labour and AC are unknown (null) once an hour was booked by someone without an hourly cost.
with task_actuals as (
    select
        tasks.project_id,
        tasks.is_done_in_scope,
        actuals.actual_hours,
        actuals.uncosted_hours,
        actuals.labour_cost
    from intermediate.int_task_actuals as actuals
    inner join intermediate.int_task_fractions as tasks using (task_id)
),

labour as (
    select
        project_id,
        sum(actual_hours) as actual_hours,
        sum(actual_hours) filter (where is_done_in_scope) as actual_hours_done,
        sum(uncosted_hours) as uncosted_hours,
        sum(labour_cost) as labour_cost
    from task_actuals
    group by project_id
),

expenses as (
    -- refunds are negative amounts and reduce the cost
    select expenses.project_id, sum(expenses.amount) as expense_cost
    from staging.stg_expenses as expenses
    cross join intermediate.int_date_bounds as bounds
    where expenses.expense_date <= bounds.as_of
    group by expenses.project_id
)

select
    projects.project_id,
    case when labour.uncosted_hours > 0 then null
         else coalesce(labour.labour_cost, 0.0) end as labour_cost,
    coalesce(expenses.expense_cost, 0.0) as expense_cost,
    case when labour.uncosted_hours > 0 then null
         else coalesce(labour.labour_cost, 0.0) + coalesce(expenses.expense_cost, 0.0)
    end as ac,
    coalesce(labour.actual_hours, 0.0) as actual_hours,
    coalesce(labour.actual_hours_done, 0.0) as actual_hours_done
from intermediate.int_projects as projects
left join labour using (project_id)
left join expenses using (project_id)
