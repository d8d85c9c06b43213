-- kpi_tool_adoption: one row per tool_rollouts row with rollout_date <= D (docs/kpis.md, Tool
-- adoption): the department's tasks done in the tool_window_days before rollout_date and in the
-- tool_window_days from it (up to D), their on-time rate and estimate ratio before and after,
-- the after-values split by assignees trained and untrained in the tool, the change and a verdict.
-- Tasks: in-scope tasks of the department's projects (projects.department), done at D.
-- Trained: the assignee completed a training whose skill is the tool on or before the task's
-- start, coalesce(actual_start, planned_start), as for the training gap; unassigned tasks are in
-- neither split.
-- Verdict: 'too little data' when either side has fewer than tool_min_tasks tasks. Otherwise
-- each KPI is better or worse when it moved by at least tool_change_tolerance (0.05): on_time_rate up
-- (better) or down by 0.05 (5 points); estimate accuracy |estimate_ratio - 1| down (better) or
-- up by 0.05. 'improved' when at least one KPI is better and none worse, 'worse' when at least
-- one is worse and none better, else 'no change' (both within tolerance, or one better and one
-- worse; verdict_detail says which).
with bounds as (
    select as_of, getvariable('tool_window_days')::integer as window_days
    from intermediate.int_date_bounds
),

rollouts as (
    select
        rollouts.tool,
        rollouts.department,
        rollouts.rollout_date,
        bounds.as_of,
        rollouts.rollout_date - bounds.window_days as before_start,
        rollouts.rollout_date - 1 as before_end,
        rollouts.rollout_date as after_start,
        least(rollouts.rollout_date + (bounds.window_days - 1), bounds.as_of) as after_end
    from staging.stg_tool_rollouts as rollouts
    cross join bounds
    where rollouts.rollout_date <= bounds.as_of
),

done_tasks as (
    select
        gaps.task_id,
        projects.department,
        gaps.assignee_id,
        gaps.completed_on,
        gaps.training_reference_date,
        gaps.planned_hours,
        coalesce(actuals.actual_hours, 0.0) as actual_hours,
        gaps.completed_on <= gaps.planned_end as on_time
    from intermediate.int_task_gaps as gaps
    inner join intermediate.int_projects as projects using (project_id)
    left join intermediate.int_task_actuals as actuals using (task_id)
    where gaps.is_done_in_scope
),

windowed as (
    select
        rollouts.tool,
        rollouts.department,
        done_tasks.*
            exclude (department),
        done_tasks.completed_on >= rollouts.after_start as is_after,
        case
            when done_tasks.assignee_id is null then null
            else exists (
                select 1
                from staging.stg_trainings as trainings
                where trainings.employee_id = done_tasks.assignee_id
                  and trainings.skill = rollouts.tool
                  and trainings.completed_on <= least(done_tasks.training_reference_date, rollouts.as_of)
            )
        end as is_trained
    from rollouts
    inner join done_tasks
        on done_tasks.department = rollouts.department
        and done_tasks.completed_on between rollouts.before_start and rollouts.after_end
        and done_tasks.completed_on <= rollouts.as_of
),

measures as (
    select
        tool,
        department,
        count(*) filter (where not is_after) as tasks_before,
        count(*) filter (where is_after) as tasks_after,
        avg(on_time::integer) filter (where not is_after) as on_time_rate_before,
        avg(on_time::integer) filter (where is_after) as on_time_rate_after,
        sum(actual_hours) filter (where not is_after)
            / nullif(sum(planned_hours) filter (where not is_after), 0) as estimate_ratio_before,
        sum(actual_hours) filter (where is_after)
            / nullif(sum(planned_hours) filter (where is_after), 0) as estimate_ratio_after,
        count(*) filter (where is_after and is_trained) as tasks_after_trained,
        count(*) filter (where is_after and not is_trained) as tasks_after_untrained,
        avg(on_time::integer) filter (where is_after and is_trained) as on_time_rate_after_trained,
        avg(on_time::integer) filter (where is_after and not is_trained)
            as on_time_rate_after_untrained,
        sum(actual_hours) filter (where is_after and is_trained)
            / nullif(sum(planned_hours) filter (where is_after and is_trained), 0)
            as estimate_ratio_after_trained,
        sum(actual_hours) filter (where is_after and not is_trained)
            / nullif(sum(planned_hours) filter (where is_after and not is_trained), 0)
            as estimate_ratio_after_untrained
    from windowed
    group by tool, department
),

changes as (
    select
        rollouts.*,
        coalesce(measures.tasks_before, 0) as tasks_before,
        coalesce(measures.tasks_after, 0) as tasks_after,
        measures.* exclude (tool, department, tasks_before, tasks_after),
        measures.on_time_rate_after - measures.on_time_rate_before as on_time_rate_change,
        measures.estimate_ratio_after - measures.estimate_ratio_before as estimate_ratio_change,
        -- positive = estimates closer to the actual hours
        abs(measures.estimate_ratio_before - 1) - abs(measures.estimate_ratio_after - 1)
            as estimate_accuracy_gain
    from rollouts
    left join measures using (tool, department)
),

judged as (
    select
        changes.*,
        coalesce(tasks_before < getvariable('tool_min_tasks')::integer
                 or tasks_after < getvariable('tool_min_tasks')::integer, true) as too_little_data,
        coalesce(on_time_rate_change >= getvariable('tool_change_tolerance'), false) as on_time_better,
        coalesce(on_time_rate_change <= -getvariable('tool_change_tolerance'), false) as on_time_worse,
        coalesce(estimate_accuracy_gain >= getvariable('tool_change_tolerance'), false) as estimate_better,
        coalesce(estimate_accuracy_gain <= -getvariable('tool_change_tolerance'), false) as estimate_worse
    from changes
)

select
    tool,
    department,
    rollout_date,
    as_of,
    tasks_before,
    tasks_after,
    on_time_rate_before,
    on_time_rate_after,
    estimate_ratio_before,
    estimate_ratio_after,
    on_time_rate_after_trained,
    on_time_rate_after_untrained,
    case
        when too_little_data then 'too little data'
        when (on_time_better or estimate_better) and not (on_time_worse or estimate_worse) then 'improved'
        when (on_time_worse or estimate_worse) and not (on_time_better or estimate_better) then 'worse'
        else 'no change'
    end as verdict,
    before_start,
    before_end,
    after_start,
    after_end,
    tasks_after_trained,
    tasks_after_untrained,
    estimate_ratio_after_trained,
    estimate_ratio_after_untrained,
    on_time_rate_change,
    estimate_ratio_change,
    case
        when too_little_data then
            printf('%d tasks before, %d after: under %d on a side', tasks_before, tasks_after,
                   getvariable('tool_min_tasks')::integer)
        else concat_ws('; ',
            printf('on time %s (%+.0f points)',
                   case when on_time_better then 'better' when on_time_worse then 'worse' else 'unchanged' end,
                   100 * on_time_rate_change),
            printf('estimate ratio %.2f -> %.2f, %s',
                   estimate_ratio_before, estimate_ratio_after,
                   case when estimate_better then 'closer to plan' when estimate_worse then 'further from plan'
                        else 'unchanged' end)
        )
    end as verdict_detail
from judged
