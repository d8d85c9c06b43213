-- int_forecast_tasks: one row per unfinished task of an active project at D (started, not
-- finished, not cancelled; the task in scope and not done at D), what the Monte Carlo forecast
-- (kpi_forecast) needs of it (docs/kpis.md, Forecast):
--   remaining_working_days = wd(planned_start, planned_end) * (1 - earned fraction at D);
--   plan_left_working_days = the working days of the plan from where the project stands to the
--     task's planned end: wd_through(planned_end) - (start_wd_before + ES), ES the project's
--     earned schedule at D (hist_kpi_project's row for D, i.e. kpi_project.es); at least
--     remaining_working_days. A project behind schedule still has to do the work planned
--     between ES and D before what follows, so its open tasks finish that much later; one
--     ahead keeps its lead, less any working days of that lead on which the plan has no task
--     (a pause ES steps over is still ahead). Without an ES (no planned value) the project
--     counts as on schedule (ES = AT);
--   as_of_wd_through = the project's working days through D: in a draw the task finishes on
--     working day as_of_wd_through + ceil(plan_left_working_days * duration_ratio);
--   remaining_budget = BAC * w_t * (1 - earned fraction) / W, the task's part of BAC - EV (null
--     when W = 0);
--   ratio_group: the finished tasks its ratios are drawn from, the nearest reference class that
--     has at least forecast_min_group of them: its project's own finished tasks, else its
--     department (the project's) and required skill, else its department, else all finished
--     tasks (null when there is none).
with standing as (
    -- each active project's AT and ES at D (as in kpi_project), in working days k from its start
    select
        projects.*,
        earned_value.bac,
        earned_value.total_weight,
        as_of_day.wd_through as as_of_wd_through,
        as_of_day.wd_through - projects.start_wd_before as at_k,
        coalesce(schedule.es, as_of_day.wd_through - projects.start_wd_before) as es
    from intermediate.int_projects as projects
    inner join intermediate.int_project_earned_value as earned_value using (project_id)
    inner join intermediate.int_calendar as as_of_day
        on as_of_day.working_weekdays = projects.working_weekdays
        and as_of_day.day = projects.as_of
    left join intermediate.hist_kpi_project as schedule
        on schedule.project_id = projects.project_id
        and schedule.as_of = projects.as_of
    where projects.is_started
      and not projects.is_finished
      and not projects.is_cancelled
),

lead_days as (
    -- the working days k in (AT, ES] of a project ahead of its plan
    select project_id, unnest(range(at_k + 1, ceil(es)::bigint + 1)) as k
    from standing
    where es > at_k
),

paused_days as (
    -- those on which no in-scope task is planned (a pause in the plan: a project on hold,
    -- re-planned to resume later). ES steps over a pause as soon as EV is a little ahead (the
    -- PV curve is flat there), but the pause is still ahead of the project: no lead
    select lead_days.project_id, count(*) as paused
    from lead_days
    where not exists (
        select 1
        from intermediate.int_task_fractions as tasks
        where tasks.project_id = lead_days.project_id
          and tasks.in_scope
          and lead_days.k > tasks.curve_start
          and lead_days.k <= tasks.curve_start + tasks.curve_days
    )
    group by lead_days.project_id
),

active_projects as (
    select
        standing.*,
        -- the working-day number of where the project stands in its plan: ES, less the pauses
        -- it stepped over
        standing.start_wd_before + standing.es - coalesce(paused_days.paused, 0) as es_wd
    from standing
    left join paused_days using (project_id)
),

open_tasks as (
    select
        tasks.task_id,
        tasks.project_id,
        active_projects.department,
        coalesce(tasks.required_skill, '(any)') as skill,
        active_projects.working_weekdays,
        active_projects.as_of_wd_through,
        tasks.planned_working_days * (1 - least(tasks.earned_fraction, 1.0)) as remaining_working_days,
        greatest(
            planned_end_day.wd_through - active_projects.es_wd,
            tasks.planned_working_days * (1 - least(tasks.earned_fraction, 1.0))
        ) as plan_left_working_days,
        active_projects.bac * tasks.weight * (1 - least(tasks.earned_fraction, 1.0))
            / nullif(active_projects.total_weight, 0) as remaining_budget
    from intermediate.int_task_fractions as tasks
    inner join active_projects using (project_id)
    inner join intermediate.int_calendar as planned_end_day
        on planned_end_day.working_weekdays = active_projects.working_weekdays
        and planned_end_day.day = tasks.planned_end
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
            when by_project.tasks >= getvariable('forecast_min_group') then 'project'
            when by_skill.tasks >= getvariable('forecast_min_group') then 'department_skill'
            when by_department.tasks >= getvariable('forecast_min_group') then 'department'
            when overall.tasks > 0 then 'all'
        end as ratio_group
    from open_tasks
    left join group_sizes as by_project
        on by_project.group_key
        = 'project ' || to_json([open_tasks.project_id, null, null]::varchar[])::varchar
    left join group_sizes as by_skill
        on by_skill.group_key
        = 'department_skill ' || to_json([null, open_tasks.department, open_tasks.skill]::varchar[])::varchar
    left join group_sizes as by_department
        on by_department.group_key
        = 'department ' || to_json([null, open_tasks.department, null]::varchar[])::varchar
    left join group_sizes as overall
        on overall.group_key = 'all ' || to_json([null, null, null]::varchar[])::varchar
)

select
    task_id,
    project_id,
    department,
    skill,
    working_weekdays,
    as_of_wd_through,
    remaining_working_days,
    plan_left_working_days,
    remaining_budget,
    ratio_group,
    -- the key of the chosen group in int_forecast_ratio_groups
    ratio_group || ' ' || to_json(
        [
            case when ratio_group = 'project' then project_id end,
            case when ratio_group in ('department_skill', 'department') then department end,
            case when ratio_group = 'department_skill' then skill end
        ]::varchar[]
    )::varchar as group_key
from chosen
