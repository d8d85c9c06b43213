-- kpi_people: one row per employee employed on at least one day of the trailing window
-- D-(people_window_days-1) .. D (docs/kpis.md, People): delivery benchmarks of the tasks the employee
-- completed in the window, utilization and over-allocation of the weeks starting in it, open
-- tasks with a skill or training gap, and a training recommendation with a reason a manager can
-- act on (which benchmark failed, by how much, and the skills or tools to train).
-- training_recommended follows docs/kpis.md whatever the employment status; is_employed tells a
-- manager when the person has left since (the recommendation may then go to their successor).
with bounds as (
    select
        as_of,
        as_of - (getvariable('people_window_days')::integer - 1) as window_start
    from intermediate.int_date_bounds
),

people as (
    select employees.employee_id, employees.department, employees.termination_date, bounds.*
    from staging.stg_employees as employees
    cross join bounds
    where employees.hire_date <= bounds.as_of
      and coalesce(employees.termination_date >= bounds.window_start, true)
),

completed as (
    -- tasks assigned to the employee and done in the window, with all their hours up to D
    select
        gaps.assignee_id as employee_id,
        gaps.task_id,
        gaps.required_skill,
        gaps.tool,
        gaps.training_gap,
        gaps.planned_hours,
        coalesce(actuals.actual_hours, 0.0) as actual_hours,
        gaps.completed_on <= gaps.planned_end as on_time,
        coalesce(actuals.actual_hours, 0.0) > gaps.planned_hours as overrun
    from intermediate.int_task_gaps as gaps
    cross join bounds
    left join intermediate.int_task_actuals as actuals using (task_id)
    where gaps.is_done_in_scope
      and gaps.completed_on >= bounds.window_start
      and gaps.assignee_id is not null
),

delivery as (
    select
        employee_id,
        count(*) as tasks_completed,
        count(*) filter (where on_time) as tasks_on_time,
        count(*) filter (where on_time) / count(*) as on_time_rate,
        sum(actual_hours) / nullif(sum(planned_hours), 0) as estimate_ratio
    from completed
    group by employee_id
),

weeks as (
    select
        weeks.employee_id,
        sum(weeks.project_hours) / nullif(sum(weeks.available_hours), 0) as utilization_avg,
        count(*) filter (where weeks.over_allocated) as weeks_over_allocated
    from intermediate.int_employee_weeks as weeks
    cross join bounds
    where weeks.week_start between bounds.window_start and bounds.as_of
    group by weeks.employee_id
),

open_tasks as (
    -- in-scope tasks not done at D
    select assignee_id as employee_id, task_id, required_skill, tool, skill_gap, training_gap
    from intermediate.int_task_gaps
    where in_scope and not is_done and assignee_id is not null
),

gaps as (
    select
        employee_id,
        count(*) filter (where skill_gap) as skill_gap_tasks,
        count(*) filter (where training_gap) as training_gap_tasks,
        string_agg(distinct tool, ', ' order by tool) filter (where training_gap) as gap_tools,
        string_agg(distinct required_skill, ', ' order by required_skill) filter (where skill_gap)
            as gap_skills
    from open_tasks
    group by employee_id
),

benchmarks as (
    select
        people.*,
        coalesce(delivery.tasks_completed, 0) as tasks_completed,
        coalesce(delivery.tasks_on_time, 0) as tasks_on_time,
        delivery.on_time_rate,
        delivery.estimate_ratio,
        weeks.utilization_avg,
        coalesce(weeks.weeks_over_allocated, 0) as weeks_over_allocated,
        coalesce(gaps.skill_gap_tasks, 0) as skill_gap_tasks,
        coalesce(gaps.training_gap_tasks, 0) as training_gap_tasks,
        gaps.gap_tools,
        gaps.gap_skills,
        coalesce(people.termination_date >= people.as_of, true) as is_employed,
        coalesce(delivery.tasks_completed, 0) >= getvariable('training_min_tasks')::integer
            and coalesce(delivery.on_time_rate < getvariable('training_on_time_below')::double, false)
            as on_time_failed,
        coalesce(delivery.tasks_completed, 0) >= getvariable('training_min_tasks')::integer
            and coalesce(delivery.estimate_ratio > getvariable('training_estimate_above')::double, false)
            as estimate_failed
    from people
    left join delivery using (employee_id)
    left join weeks using (employee_id)
    left join gaps using (employee_id)
),

recommended as (
    select
        benchmarks.*,
        on_time_failed or estimate_failed or training_gap_tasks > 0 as training_recommended
    from benchmarks
),

completed_topics as (
    -- a completed task's skill, and its tool when the assignee was not trained in it
    select *
    from (
        select
            completed.*,
            recommended.on_time_failed,
            recommended.estimate_failed,
            unnest([completed.required_skill, case when completed.training_gap then completed.tool end])
                as topic
        from completed
        inner join recommended using (employee_id)
    )
    where topic is not null
),

topics as (
    -- what the training should cover: the tools of open tasks with a training gap (1), the
    -- skills of open tasks with a skill gap (2), the skills of late tasks when on time failed (3)
    -- and of overrun tasks when the estimate ratio failed (4), with the tool of such a task when
    -- the assignee was not trained in it; ordered by that priority, then by number of tasks
    select employee_id, topic, min(priority) as priority, count(distinct task_id) as tasks
    from (
        select employee_id, task_id, tool as topic, 1 as priority
        from open_tasks where training_gap
        union all
        select employee_id, task_id, required_skill, 2
        from open_tasks where skill_gap and required_skill is not null
        union all
        select employee_id, task_id, topic, 3
        from completed_topics
        where on_time_failed and not on_time
        union all
        select employee_id, task_id, topic, 4
        from completed_topics
        where estimate_failed and overrun
    )
    group by employee_id, topic
),

cover as (
    select
        employee_id,
        string_agg(topic, ', ' order by priority, tasks desc, topic) as cover_topics
    from topics
    group by employee_id
),

-- 0.7 -> '70', 0.675 -> '67.5'
reasons as (
    select
        recommended.*,
        cover.cover_topics,
        concat_ws('; ',
            case when on_time_failed then
                printf('on time %d of %d tasks (%s%% < %s%%)', tasks_on_time, tasks_completed,
                       regexp_replace(printf('%.1f', 100 * on_time_rate), '\.0$', ''),
                       regexp_replace(printf('%.1f', 100 * getvariable('training_on_time_below')::double), '\.0$', ''))
            end,
            case when estimate_failed then
                printf('estimate ratio %.2f > %.2f', estimate_ratio,
                       getvariable('training_estimate_above')::double)
            end,
            case when training_gap_tasks > 0 then
                printf('%d open task%s in %s without training in the tool', training_gap_tasks,
                       case when training_gap_tasks > 1 then 's' else '' end, gap_tools)
            end,
            case when skill_gap_tasks > 0 then
                printf('skill gap on %d open task%s (%s)', skill_gap_tasks,
                       case when skill_gap_tasks > 1 then 's' else '' end, gap_skills)
            end
        ) as findings
    from recommended
    left join cover using (employee_id)
)

select
    employee_id,
    department,
    as_of,
    tasks_completed,
    on_time_rate,
    estimate_ratio,
    utilization_avg,
    weeks_over_allocated,
    skill_gap_tasks,
    training_recommended,
    case when training_recommended then
        upper(findings[1]) || findings[2:]
        || coalesce('. Training should cover: ' || cover_topics, '') || '.'
    end as training_reason,
    window_start,
    tasks_on_time,
    training_gap_tasks,
    on_time_failed,
    estimate_failed,
    is_employed,
    cover_topics as training_topics
from reasons
