-- rca_evidence: the tasks, employees and hours behind each root-cause driver's share of a project
-- (docs/kpis.md, Root-cause drivers), one row per project, driver, task, employee and (for
-- over_allocation) ISO week, for every project started on or before D. rca_drivers sums these
-- rows, so for every project and driver sum(hours) / basis_hours = rca_drivers.share.
-- An analyst lists a project's evidence with one query:
--   select * from rca_evidence where project_id = ? and driver = ? order by hours desc
-- hours_basis says what `hours` counts:
--   logged  (over_allocation, skill_gap, training_gap, turnover): timesheet hours up to D of the
--           employee on the task; basis_hours = the project's actual hours up to D;
--   overrun (estimation): max(0, actual - planned hours) of a task done at D, employee = assignee;
--   planned (scope_creep): planned hours of an in-scope task created more than scope_creep_days
--           after start_date, employee = assignee; basis_hours = in-scope planned hours.
with projects as (
    select project_id, start_date, as_of
    from intermediate.int_projects
    where is_started
),

tasks as (
    select gaps.*, projects.start_date
    from intermediate.int_task_gaps as gaps
    inner join projects using (project_id)
),

logged as (
    -- hours per task, employee and ISO week, up to D
    select
        timesheets.task_id,
        timesheets.employee_id,
        date_trunc('week', timesheets.work_date)::date as week_start,
        sum(timesheets.hours) as hours
    from staging.stg_timesheets as timesheets
    cross join intermediate.int_date_bounds as bounds
    where timesheets.work_date <= bounds.as_of
      and timesheets.task_id is not null
    group by all
),

logged_on_tasks as (
    select
        tasks.project_id,
        tasks.task_id,
        tasks.task_name,
        tasks.assignee_id,
        tasks.skill_gap,
        tasks.required_skill,
        tasks.required_skill_level,
        tasks.assignee_skill_level,
        tasks.training_gap,
        tasks.tool,
        tasks.training_reference_date,
        logged.employee_id,
        logged.week_start,
        logged.hours,
        weeks.over_allocated,
        weeks.total_hours as week_total_hours,
        weeks.available_hours as week_available_hours,
        employees.termination_date
    from logged
    inner join tasks using (task_id)
    left join intermediate.int_employee_weeks as weeks using (employee_id, week_start)
    left join staging.stg_employees as employees using (employee_id)
),

project_bases as (
    select
        projects.project_id,
        coalesce(actuals.actual_hours, 0.0) as actual_hours,
        coalesce(earned_value.planned_hours, 0.0) as planned_hours
    from projects
    left join intermediate.int_project_actuals as actuals using (project_id)
    left join intermediate.int_project_earned_value as earned_value using (project_id)
),

task_actuals as (
    select task_id, actual_hours
    from intermediate.int_task_actuals
),

evidence as (
    select
        project_id, 'over_allocation' as driver, task_id, task_name, employee_id, week_start,
        hours, 'logged' as hours_basis,
        printf('%s logged %.1f h in the week of %s against %.1f h available', employee_id,
               week_total_hours, strftime(week_start, '%Y-%m-%d'), week_available_hours) as detail
    from logged_on_tasks
    where over_allocated

    union all

    select
        project_id, 'skill_gap', task_id, any_value(task_name), employee_id, null::date,
        sum(hours), 'logged',
        case
            when any_value(required_skill_level) is not null then
                printf('needs %s level %d; assignee %s has level %d', any_value(required_skill),
                       any_value(required_skill_level), any_value(assignee_id),
                       any_value(assignee_skill_level))
            else printf('needs %s; assignee %s has no assessment of it', any_value(required_skill),
                        any_value(assignee_id))
        end
    from logged_on_tasks
    where skill_gap
    group by project_id, task_id, employee_id

    union all

    select
        project_id, 'training_gap', task_id, any_value(task_name), employee_id, null::date,
        sum(hours), 'logged',
        printf('done in %s; assignee %s had no %s training by %s', any_value(tool),
               any_value(assignee_id), any_value(tool),
               strftime(any_value(training_reference_date), '%Y-%m-%d'))
    from logged_on_tasks
    where training_gap
    group by project_id, task_id, employee_id

    union all

    select
        logged_on_tasks.project_id, 'turnover', logged_on_tasks.task_id,
        any_value(logged_on_tasks.task_name), logged_on_tasks.employee_id, null::date,
        sum(logged_on_tasks.hours), 'logged',
        printf('%s left on %s', logged_on_tasks.employee_id,
               strftime(any_value(logged_on_tasks.termination_date), '%Y-%m-%d'))
    from logged_on_tasks
    cross join intermediate.int_date_bounds as bounds
    where logged_on_tasks.termination_date <= bounds.as_of
    group by logged_on_tasks.project_id, logged_on_tasks.task_id, logged_on_tasks.employee_id

    union all

    select
        tasks.project_id, 'estimation', tasks.task_id, tasks.task_name, tasks.assignee_id, null::date,
        task_actuals.actual_hours - tasks.planned_hours, 'overrun',
        printf('done with %.1f h logged against %.1f h planned (+%.0f%%)', task_actuals.actual_hours,
               tasks.planned_hours, 100 * (task_actuals.actual_hours / tasks.planned_hours - 1))
    from tasks
    inner join task_actuals using (task_id)
    where tasks.is_done_in_scope
      and task_actuals.actual_hours > tasks.planned_hours

    union all

    select
        project_id, 'scope_creep', task_id, task_name, assignee_id, null::date,
        planned_hours, 'planned',
        printf('added on %s, %d days after the project start %s, %.1f h planned',
               strftime(created_on, '%Y-%m-%d'), (created_on - start_date)::integer,
               strftime(start_date, '%Y-%m-%d'), planned_hours)
    from tasks
    where in_scope
      and created_on > start_date + getvariable('scope_creep_days')::integer
)

select
    evidence.project_id,
    bounds.as_of,
    evidence.driver,
    evidence.task_id,
    evidence.task_name,
    evidence.employee_id,
    evidence.week_start,
    evidence.hours,
    evidence.hours_basis,
    case when evidence.hours_basis = 'planned' then project_bases.planned_hours
         else project_bases.actual_hours end as basis_hours,
    evidence.hours / nullif(
        case when evidence.hours_basis = 'planned' then project_bases.planned_hours
             else project_bases.actual_hours end, 0
    ) as share,
    evidence.detail
from evidence
inner join project_bases using (project_id)
cross join intermediate.int_date_bounds as bounds
