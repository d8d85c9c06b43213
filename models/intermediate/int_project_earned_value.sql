-- int_project_earned_value: one row per project; PV, EV and the planned/earned hours and task
-- counts as of D, summed over the tasks in scope at D. PV and EV are null when W = 0.
with task_totals as (
    select
        project_id,
        sum(weight) as total_weight,
        sum(weight * planned_fraction) as planned_weight,
        sum(weight * earned_fraction) as earned_weight,
        sum(planned_hours) as planned_hours,
        sum(planned_hours * planned_fraction) as planned_hours_to_date,
        sum(planned_hours * earned_fraction) as earned_hours,
        sum(planned_hours) filter (where is_done) as planned_hours_done,
        count(*) as tasks_total,
        count(*) filter (where is_done) as tasks_done,
        count(*) filter (where not is_done and planned_end < as_of) as tasks_overdue,
        count(*) filter (where is_done and completed_on <= planned_end) as tasks_done_on_time,
        count(*) filter (where planned_end <= as_of) as tasks_due
    from intermediate.int_task_fractions
    where in_scope
    group by project_id
)

select
    projects.project_id,
    projects.budget as bac,
    task_totals.total_weight,
    task_totals.planned_weight,
    task_totals.earned_weight,
    projects.budget * task_totals.planned_weight / nullif(task_totals.total_weight, 0) as pv,
    projects.budget * task_totals.earned_weight / nullif(task_totals.total_weight, 0) as ev,
    coalesce(task_totals.planned_hours, 0.0) as planned_hours,
    coalesce(task_totals.planned_hours_to_date, 0.0) as planned_hours_to_date,
    coalesce(task_totals.earned_hours, 0.0) as earned_hours,
    coalesce(task_totals.planned_hours_done, 0.0) as planned_hours_done,
    coalesce(task_totals.tasks_total, 0) as tasks_total,
    coalesce(task_totals.tasks_done, 0) as tasks_done,
    coalesce(task_totals.tasks_overdue, 0) as tasks_overdue,
    coalesce(task_totals.tasks_done_on_time, 0) as tasks_done_on_time,
    coalesce(task_totals.tasks_due, 0) as tasks_due
from intermediate.int_projects as projects
left join task_totals using (project_id)
