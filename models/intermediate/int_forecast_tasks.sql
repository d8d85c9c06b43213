-- int_forecast_tasks: one row per unfinished task of an active project at D (started, not
-- finished, not cancelled; the task in scope and not done at D), what the Monte Carlo forecast
-- (kpi_forecast) needs of it (docs/kpis.md, Forecast):
--   remaining_working_days = wd(planned_start, planned_end) * (1 - earned fraction at D);
--   plan_left_working_days = plan_worked_working_days + plan_paused_working_days, the working
--     days of the plan from where the project stands to the task's planned end: ES, the
--     project's earned schedule at D (hist_kpi_project's row for D, i.e. kpi_project.es), to
--     end_k = wd_through(planned_end) - start_wd_before. A project behind schedule still has to
--     do the work planned between ES and D before what follows, so its open tasks finish that
--     much later; one ahead keeps its lead, less any working days of that lead on which the
--     plan has no task (a pause ES steps over is still ahead). Without an ES (no planned value)
--     the project counts as on schedule (ES = AT). Split in two (and the worked part at least
--     the assignee's queue):
--   plan_worked_working_days = the days of (ES, end_k] on which some in-scope task of the
--     project is planned, at least remaining_working_days and at least queue_working_days: the
--     work left, which a draw scales by its duration ratio;
--   queue_working_days = the remaining working days of the task and of its assignee's open
--     tasks of the project planned to start before it, over the assignee's planned concurrency
--     in the project (their tasks' planned working days over the working days the tasks'
--     windows cover; 1 for tasks run one after the other): one person does their overdue tasks
--     one after another, not all at once, so a behind project whose ES-based plan left has
--     shrunk to each task's own remaining work still has its assignees' queues ahead of it;
--   plan_paused_working_days = the days of (ES, end_k] on which none is (a pause in the plan: a
--     project on hold re-planned to resume on a date, a member who joins after the others
--     finish), plus for a project ahead of its plan those of (AT, ES]: a pause is a wait for a
--     date, not work, so a draw adds it as it is (a team running at 1.5 times its estimates
--     does not make a planned 6-day wait last 9);
--   as_of_wd_through = the project's working days through D;
--   status_wd_through = as_of_wd_through less the project's status lag: its tasks in progress
--     at D have their percent complete as of their latest status report (weekly, say), so ES
--     stands that many working days before D (averaged over the work in progress by planned
--     value per working day; a task done, or started with no report yet, is as of D). The
--     plan left is counted from there: in a draw the task finishes on working day
--     as_of_wd_through + max(1, ceil(status_wd_through - as_of_wd_through +
--     plan_worked_working_days * duration_ratio * wait_factor + plan_paused_working_days))
--     (kpi_forecast);
--   schedule_pace = AT / ES, the working days the project has taken per working day of plan
--     it has earned (kpi_forecast compares it with the pace of the tasks it draws from);
--   remaining_budget = BAC * w_t * (1 - earned fraction) / W, the task's part of BAC - EV (null
--     when W = 0);
--   ratio_group: the finished tasks its ratios are drawn from, the nearest reference class that
--     has at least forecast_min_group of them: its project's own finished tasks, else its
--     department (the project's) and required skill, else its department, else all finished
--     tasks (null when there is none).
with status_lags as (
    -- how many working days before D the project's progress stands, on average over the work
    -- in progress at D: a task's percent complete is as of its latest status report (weekly,
    -- say), so its earned value is that many working days old; a task with no report since it
    -- started (started_credit) or done is as of D. Weighted by the task's planned value per
    -- working day, as in ES
    select
        tasks.project_id,
        sum(tasks.weight / tasks.curve_days * coalesce(as_of_day.wd_through - report_day.wd_through, 0))
            / nullif(sum(tasks.weight / tasks.curve_days), 0) as status_lag
    from intermediate.int_task_fractions as tasks
    inner join intermediate.int_projects as projects using (project_id)
    inner join intermediate.int_calendar as as_of_day
        on as_of_day.working_weekdays = projects.working_weekdays
        and as_of_day.day = tasks.as_of
    left join (
        select progress.task_id, max(progress.status_date) as status_date
        from staging.stg_task_progress as progress
        cross join intermediate.int_date_bounds as bounds
        where progress.status_date <= bounds.as_of
          and progress.percent_complete is not null
        group by progress.task_id
    ) as reports using (task_id)
    left join intermediate.int_calendar as report_day
        on report_day.working_weekdays = projects.working_weekdays
        and report_day.day = reports.status_date
    where projects.is_started
      and not projects.is_finished
      and not projects.is_cancelled
      and tasks.in_scope
      and tasks.is_started
      and not tasks.is_done
    group by tasks.project_id
),

standing as (
    -- each active project's AT and ES at D (as in kpi_project), in working days k from its start
    select
        projects.*,
        earned_value.bac,
        earned_value.total_weight,
        as_of_day.wd_through as as_of_wd_through,
        as_of_day.wd_through - coalesce(status_lags.status_lag, 0) as status_wd_through,
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
    left join status_lags using (project_id)
    where projects.is_started
      and not projects.is_finished
      and not projects.is_cancelled
),

covered as (
    -- the working days k of each active project's plan that carry planned work: the windows
    -- (curve_start, curve_start + curve_days] of its in-scope tasks, and how far the windows
    -- before each reach, in the project (merged where they touch: its pauses) and among the
    -- assignee's own tasks (their planned concurrency: streams)
    select
        tasks.project_id,
        tasks.assignee_id,
        tasks.curve_start as lo,
        tasks.curve_start + tasks.curve_days as hi,
        tasks.curve_days,
        max(tasks.curve_start + tasks.curve_days) over (
            partition by tasks.project_id
            order by tasks.curve_start, tasks.curve_days
            rows between unbounded preceding and 1 preceding
        ) as covered_before,
        max(tasks.curve_start + tasks.curve_days) over (
            partition by tasks.project_id, tasks.assignee_id
            order by tasks.curve_start, tasks.curve_days
            rows between unbounded preceding and 1 preceding
        ) as assignee_covered_before
    from intermediate.int_task_fractions as tasks
    where tasks.in_scope
      and tasks.project_id in (select project_id from standing)
),

pauses as (
    -- the pauses in the plan: working days k in (lo, hi] on which no in-scope task is planned
    -- (a project on hold, re-planned to resume later; a team member who joins later than the
    -- others finish). Whole days, so the continuous measure below counts days
    select project_id, covered_before as lo, lo as hi
    from covered
    where lo > covered_before
),

open_tasks as (
    select
        tasks.task_id,
        tasks.project_id,
        tasks.assignee_id,
        tasks.planned_start,
        tasks.planned_end,
        standing.department,
        coalesce(tasks.required_skill, '(any)') as skill,
        standing.working_weekdays,
        standing.as_of_wd_through,
        standing.status_wd_through,
        standing.at_k,
        standing.es,
        planned_end_day.wd_through - standing.start_wd_before as end_k,
        tasks.planned_working_days * (1 - least(tasks.earned_fraction, 1.0)) as remaining_working_days,
        standing.bac * tasks.weight * (1 - least(tasks.earned_fraction, 1.0))
            / nullif(standing.total_weight, 0) as remaining_budget
    from intermediate.int_task_fractions as tasks
    inner join standing using (project_id)
    inner join intermediate.int_calendar as planned_end_day
        on planned_end_day.working_weekdays = standing.working_weekdays
        and planned_end_day.day = tasks.planned_end
    where tasks.in_scope
      and not tasks.is_done
),

streams as (
    -- an assignee's planned concurrency in a project: planned working days of their tasks
    -- over the working days the union of the tasks' windows covers (2 for two tasks side by
    -- side throughout)
    select
        project_id,
        assignee_id,
        sum(curve_days)
            / sum(greatest(hi - greatest(lo, coalesce(assignee_covered_before, lo)), 0))
            as concurrency
    from covered
    where assignee_id is not null
    group by project_id, assignee_id
),

queued as (
    -- the assignee's open work up to and including the task, in planned order
    select
        open_tasks.task_id,
        case
            when open_tasks.assignee_id is null then open_tasks.remaining_working_days
            else sum(open_tasks.remaining_working_days) over (
                partition by open_tasks.project_id, open_tasks.assignee_id
                order by open_tasks.planned_start, open_tasks.planned_end, open_tasks.task_id
                rows between unbounded preceding and current row
            ) / greatest(coalesce(streams.concurrency, 1), 1)
        end as queue_working_days
    from open_tasks
    left join streams using (project_id, assignee_id)
),

paused_ahead as (
    -- per open task, the pause days of the plan still ahead of it: those in (ES, end_k] (the
    -- plan left), and for a project ahead of its plan those in (AT, ES] as well (ES steps over a
    -- pause as soon as EV is a little ahead, as the PV curve is flat there, but the pause is
    -- still to come); in_plan_left: those in (ES, end_k] alone
    select
        open_tasks.task_id,
        sum(greatest(least(pauses.hi, open_tasks.end_k) - greatest(pauses.lo, least(open_tasks.at_k, open_tasks.es)), 0))
            as paused,
        sum(greatest(least(pauses.hi, open_tasks.end_k) - greatest(pauses.lo, open_tasks.es), 0))
            as paused_in_plan_left
    from open_tasks
    inner join pauses
        on pauses.project_id = open_tasks.project_id
        and pauses.hi > least(open_tasks.at_k, open_tasks.es)
        and pauses.lo < open_tasks.end_k
    group by open_tasks.task_id
),

planned as (
    select
        open_tasks.*,
        -- the worked days of the plan left: (ES, end_k] less its pauses, at least the task's own
        -- remaining work
        greatest(
            open_tasks.end_k - open_tasks.es - coalesce(paused_ahead.paused_in_plan_left, 0),
            open_tasks.remaining_working_days,
            queued.queue_working_days
        ) as plan_worked_working_days,
        coalesce(paused_ahead.paused, 0) as plan_paused_working_days,
        queued.queue_working_days
    from open_tasks
    left join paused_ahead using (task_id)
    left join queued using (task_id)
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
    from planned as open_tasks
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
    status_wd_through,
    remaining_working_days,
    plan_worked_working_days + plan_paused_working_days as plan_left_working_days,
    plan_worked_working_days,
    plan_paused_working_days,
    queue_working_days,
    remaining_budget,
    at_k / nullif(es, 0) as schedule_pace,
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
