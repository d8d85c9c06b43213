-- int_forecast_tasks: one row per unfinished task of an active project at D (started, not
-- finished, not cancelled; the task in scope and not done at D), what the Monte Carlo forecast
-- (kpi_forecast) needs of it (docs/kpis.md, Forecast):
--   remaining_working_days = wd(planned_start, planned_end) * (1 - earned fraction at D);
--   start_wd_before = the project's working days before max(D + 1, planned_start): the remaining
--     work starts on the first working day after D, or at its planned start when that is later;
--   remaining_budget = BAC * w_t * (1 - earned fraction) / W, the task's part of BAC - EV (null
--     when W = 0);
--   ratio_group: the finished tasks its ratios are drawn from: its department (the project's) and
--     required skill when that group has at least forecast_min_group tasks, else its department
--     when that has, else all finished tasks (null when there is none).
with active_projects as (
    select projects.*, earned_value.bac, earned_value.total_weight
    from intermediate.int_projects as projects
    inner join intermediate.int_project_earned_value as earned_value using (project_id)
    where projects.is_started
      and not projects.is_finished
      and not projects.is_cancelled
),

open_tasks as (
    select
        tasks.task_id,
        tasks.project_id,
        active_projects.department,
        coalesce(tasks.required_skill, '(any)') as skill,
        active_projects.working_weekdays,
        greatest(tasks.as_of + 1, tasks.planned_start) as remaining_start,
        tasks.planned_working_days * (1 - least(tasks.earned_fraction, 1.0)) as remaining_working_days,
        active_projects.bac * tasks.weight * (1 - least(tasks.earned_fraction, 1.0))
            / nullif(active_projects.total_weight, 0) as remaining_budget
    from intermediate.int_task_fractions as tasks
    inner join active_projects using (project_id)
    where tasks.in_scope
      and not tasks.is_done
),

group_sizes as (
    select group_key, tasks
    from intermediate.int_forecast_ratio_groups
),

chosen as (
    select
        open_tasks.*,
        case
            when by_skill.tasks >= getvariable('forecast_min_group') then 'department_skill'
            when by_department.tasks >= getvariable('forecast_min_group') then 'department'
            when overall.tasks > 0 then 'all'
        end as ratio_group
    from open_tasks
    left join group_sizes as by_skill
        on by_skill.group_key
        = 'department_skill ' || to_json([open_tasks.department, open_tasks.skill]::varchar[])::varchar
    left join group_sizes as by_department
        on by_department.group_key
        = 'department ' || to_json([open_tasks.department, null]::varchar[])::varchar
    left join group_sizes as overall
        on overall.group_key = 'all ' || to_json([null, null]::varchar[])::varchar
),

keyed as (
    select
        chosen.*,
        -- the key of the chosen group in int_forecast_ratio_groups
        chosen.ratio_group || ' ' || to_json(
            [
                case when chosen.ratio_group in ('department_skill', 'department') then chosen.department end,
                case when chosen.ratio_group = 'department_skill' then chosen.skill end
            ]::varchar[]
        )::varchar as group_key
    from chosen
)

select
    chosen.task_id,
    chosen.project_id,
    chosen.department,
    chosen.skill,
    chosen.working_weekdays,
    chosen.remaining_start,
    start_day.wd_before as start_wd_before,
    chosen.remaining_working_days,
    chosen.remaining_budget,
    chosen.ratio_group,
    chosen.group_key
from keyed as chosen
inner join intermediate.int_calendar as start_day
    on start_day.working_weekdays = chosen.working_weekdays
    and start_day.day = chosen.remaining_start
