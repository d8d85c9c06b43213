-- int_forecast_ratio_groups: the finished-task ratios of int_forecast_history grouped four ways:
-- by project ('project': the project's own finished tasks, the nearest reference class - same
-- team, same planner, same conditions - and the one that tells a project running at twice its
-- estimates from one running to plan), by department and skill ('department_skill'), by
-- department ('department') and all together ('all'). One row per group with its task count,
-- its pace (the working days its tasks took over the working days they were planned for: the
-- rate at which its tasks get through planned days, which kpi_forecast compares with a
-- project's AT / ES) and its ratios as one list of (duration_ratio, effort_ratio) pairs sorted by duration ratio, then
-- effort ratio, then task_id: one position draws one finished task's pair (time and effort
-- overruns go together), and the sort makes the same position the same quantile of duration in
-- every group (kpi_forecast gives all of a project's groups the same position in a draw).
-- group_key names the group without nulls (ratio_group, then project, department and skill as
-- JSON), for equality joins.
-- A group of more than 1000 tasks keeps 1000 evenly spaced order statistics of its sorted list
-- (the (k + 0.5) / 1000 quantiles, k = 0..999): drawing among them is drawing from the same
-- distribution, with less to carry. One list of pairs, not two lists: one sort per group
-- instead of two (measured at the large scale: about half the time of this model).
with groups as (
    select
        case grouping(project_id, department, skill)
            when 3 then 'project'
            when 4 then 'department_skill'
            when 5 then 'department'
            else 'all'
        end as ratio_group,
        project_id,
        department,
        skill,
        count(*) as tasks,
        sum(actual_working_days) / sum(planned_working_days) as pace,
        list(
            {'duration_ratio': duration_ratio, 'effort_ratio': effort_ratio}
            order by duration_ratio, effort_ratio, task_id
        ) as ratios
    from intermediate.int_forecast_history
    group by grouping sets ((project_id), (department, skill), (department), ())
)

select
    ratio_group || ' ' || to_json([project_id, department, skill]::varchar[])::varchar as group_key,
    ratio_group,
    project_id,
    department,
    skill,
    tasks,
    pace,
    least(tasks, 1000) as ratio_points,
    case
        when tasks <= 1000 then ratios
        else list_transform(
            range(1000), lambda k: ratios[floor((k + 0.5) * tasks / 1000)::bigint + 1]
        )
    end as ratios
from groups
