-- hist_project_actuals: int_project_actuals for every project day of hist_project_days:
-- labour, expenses and hours are running sums over the days of hist_project_actual_changes,
-- read at d by an as-of join. Labour (and so AC) is unknown, null, once an hour was booked
-- by someone without an hourly cost: a sum without it would be too low. The sums are exact
-- decimals: their value does not depend on the order the rows are added in, so the days a
-- nightly run rebuilds alone (pipelines/transform/increment.py) equal a full build's bit for
-- bit.
with changes as (
    -- a project's changes from its hist_tail day on, and the sum of those before it on the
    -- day before it (a full build has none before: it computes every day)
    select changes.*
    from intermediate.hist_project_actual_changes as changes
    inner join intermediate.hist_tail as tail using (project_id)
    where changes.day >= tail.from_day
    union all
    select
        changes.project_id,
        tail.from_day - 1,
        sum(changes.hours),
        sum(changes.labour_cost),
        sum(changes.uncosted_hours),
        sum(changes.hours_done),
        sum(changes.expense_cost)
    from intermediate.hist_project_actual_changes as changes
    inner join intermediate.hist_tail as tail using (project_id)
    where changes.day < tail.from_day
    group by changes.project_id, tail.from_day
),

running as (
    select
        project_id,
        day,
        sum(hours) over project_days as actual_hours,
        sum(labour_cost) over project_days as labour_cost,
        sum(uncosted_hours) over project_days as uncosted_hours,
        sum(hours_done) over project_days as actual_hours_done,
        sum(expense_cost) over project_days as expense_cost
    from changes
    window project_days as (partition by project_id order by day)
)

select
    days.project_id,
    days.as_of,
    case when running.uncosted_hours > 0 then null
         else coalesce(running.labour_cost::double, 0.0) end as labour_cost,
    coalesce(running.expense_cost::double, 0.0) as expense_cost,
    case when running.uncosted_hours > 0 then null
         else coalesce((running.labour_cost + running.expense_cost)::double,
                       running.labour_cost::double, running.expense_cost::double, 0.0)
    end as ac,
    coalesce(running.actual_hours::double, 0.0) as actual_hours,
    coalesce(running.actual_hours_done::double, 0.0) as actual_hours_done
from intermediate.hist_project_days as days
asof left join running
    on running.project_id = days.project_id and running.day <= days.as_of
