-- int_forecast_ratio_groups: the finished-task ratios of int_forecast_history grouped three ways:
-- by department and skill (level 'department_skill'), by department ('department') and all
-- together ('all'); one row per group with its task count and the ratios as two lists in the same
-- order (sorted by duration ratio, then effort ratio, then task_id), so that one index draws
-- one finished task's pair of ratios (time and effort overruns go together). group_key names the
-- group without nulls (ratio_group, then department and skill as JSON), for equality joins.
-- A group of more than 1000 tasks keeps 1000 evenly spaced order statistics of its sorted list
-- (the (k + 0.5) / 1000 quantiles, k = 0..999): drawing among them is drawing from the same
-- distribution, and the draws stay fast (kpi_forecast carries the lists along every task).
with groups as (
    select
        case grouping(department, skill)
            when 0 then 'department_skill'
            when 1 then 'department'
            else 'all'
        end as ratio_group,
        department,
        skill,
        count(*) as tasks,
        list(duration_ratio order by duration_ratio, effort_ratio, task_id) as duration_ratios,
        list(effort_ratio order by duration_ratio, effort_ratio, task_id) as effort_ratios,
        median(duration_ratio) as median_duration_ratio,
        median(effort_ratio) as median_effort_ratio
    from intermediate.int_forecast_history
    group by grouping sets ((department, skill), (department), ())
)

select
    ratio_group || ' ' || to_json([department, skill]::varchar[])::varchar as group_key,
    ratio_group,
    department,
    skill,
    tasks,
    least(tasks, 1000) as ratio_points,
    case
        when tasks <= 1000 then duration_ratios
        else list_transform(
            range(1000), lambda k: duration_ratios[floor((k + 0.5) * tasks / 1000)::bigint + 1]
        )
    end as duration_ratios,
    case
        when tasks <= 1000 then effort_ratios
        else list_transform(
            range(1000), lambda k: effort_ratios[floor((k + 0.5) * tasks / 1000)::bigint + 1]
        )
    end as effort_ratios,
    median_duration_ratio,
    median_effort_ratio
from groups
