-- kpi_forecast: one row per active project at D (started, not finished, not cancelled): Monte
-- Carlo forecasts of its finish date and its estimate at completion, P50 / P80 / P95, from the
-- organisation's own finished tasks (docs/kpis.md, Forecast). The deterministic EVM forecasts
-- stay in kpi_project.
-- One draw gives the whole project one pace: u = hash(project_id, forecast_seed, draw) mod 2^32
-- / 2^32 picks, in every ratio group its open tasks draw from (int_forecast_tasks), the finished
-- task at position floor(u * size) + 1 of the group's sorted ratios (int_forecast_ratio_groups;
-- at most 1000 evenly spaced order statistics of a larger group). One u for all of a project's
-- tasks because its tasks are run by the same team under the same conditions: their overruns
-- move together, and independent draws per task average out into a spread far narrower than
-- projects really show (the backtest, docs/kpis.md). The hash makes the same inputs always
-- give the same forecast.
-- In a draw a task finishes on working day as_of_wd_through + max(1, ceil(status_wd_through -
-- as_of_wd_through + plan_worked_working_days * duration_ratio * wait_factor +
-- plan_paused_working_days)) of the project's calendar (counted from where its status reports
-- leave it, the work left scaled, the planned pauses not: int_forecast_tasks) and costs
-- remaining_budget * effort_ratio more.
-- wait_factor = max(1, schedule_pace / max(pace, 1)) per project and group: a project that has
-- taken more working days per planned day earned (AT / ES) than the group's finished tasks
-- took per planned day (their pace; at least 1, so that tasks beating their plans do not pass
-- for waiting) has lost the difference to waits no task's duration shows - a member not free
-- yet, a hand-over, work queued behind other work. The remaining plan is taken to go on at
-- the project's own pace, as the earned-schedule forecast AT + (PD - ES) / SPI(t) has it; the
-- draw's task ratio still sets the spread. A project at or ahead of its plan has a factor 1.
-- Finish = the latest task finish, EAC = AC + the sum of the remaining costs. Within a group
-- the ratio is the same for every task of the draw, so only the tasks whose (worked, paused)
-- pair no other task of the group matches or beats in both can be the group's latest (most
-- often one) and only the group's summed remaining budget matters: the draws run over
-- (project, group) pairs, not tasks.
-- finish_pNN / eac_pNN = the NN % quantile over the draws (quantile_disc: a value some draw took).
-- A project with nothing left to do finishes on the first working day after D at EAC = AC; one
-- whose remaining tasks have no finished task to draw from has null forecasts.
with projects as (
    select
        projects.project_id,
        projects.working_weekdays,
        projects.as_of,
        actuals.ac,
        as_of_day.wd_through as as_of_wd_through
    from intermediate.int_projects as projects
    inner join intermediate.int_project_actuals as actuals using (project_id)
    inner join intermediate.int_calendar as as_of_day
        on as_of_day.working_weekdays = projects.working_weekdays
        and as_of_day.day = projects.as_of
    where projects.is_started
      and not projects.is_finished
      and not projects.is_cancelled
),

open_counts as (
    select project_id, count(*) as tasks_remaining, sum(remaining_budget) as remaining_budget
    from intermediate.int_forecast_tasks
    group by project_id
),

drawable as (
    -- one row per project and ratio group of its open tasks
    select
        tasks.project_id,
        tasks.group_key,
        any_value(tasks.as_of_wd_through) as as_of_wd_through,
        any_value(tasks.status_wd_through) as status_wd_through,
        sum(tasks.remaining_budget) as remaining_budget,
        any_value(ratio_groups.ratio_points) as group_size,
        greatest(coalesce(any_value(tasks.schedule_pace) / greatest(any_value(ratio_groups.pace), 1), 1), 1)
            as wait_factor
    from intermediate.int_forecast_tasks as tasks
    inner join intermediate.int_forecast_ratio_groups as ratio_groups using (group_key)
    group by tasks.project_id, tasks.group_key
),

group_plans as (
    -- the (worked, paused) plans of a group's open tasks that can be its latest finish in some
    -- draw: those with more worked days than every plan with at least as many paused days
    select
        project_id,
        group_key,
        plan_worked_working_days,
        plan_paused_working_days,
        worked_with_more_paused is null as carries_cost
    from (
        select
            project_id,
            group_key,
            plan_worked_working_days,
            plan_paused_working_days,
            max(plan_worked_working_days) over (
                partition by project_id, group_key
                order by plan_paused_working_days desc, plan_worked_working_days desc
                rows between unbounded preceding and 1 preceding
            ) as worked_with_more_paused
        from (
            select distinct project_id, group_key, plan_worked_working_days, plan_paused_working_days
            from intermediate.int_forecast_tasks
        )
    )
    where worked_with_more_paused is null or plan_worked_working_days > worked_with_more_paused
),

ratio_points as (
    -- the used groups' ratio pairs, one row per position: a join on (group_key, position)
    -- fetches a draw's pair without carrying the lists along every draw (copying them was most
    -- of this model's time)
    select
        group_key,
        unnest(range(1, ratio_points + 1)) as position,
        unnest(ratios) as ratio
    from intermediate.int_forecast_ratio_groups
    where group_key in (select group_key from drawable)
),

draws as (
    -- the draw's position u in [0, 1), one per project and draw
    select
        projects.project_id,
        draws.draw,
        (hash(projects.project_id, getvariable('forecast_seed'), draws.draw) % 4294967296::ubigint)::double
            / 4294967296 as u
    from (select distinct project_id from drawable) as projects
    cross join range(getvariable('forecast_draws')::bigint) as draws(draw)
),

picks as (
    select
        drawable.*,
        draws.draw,
        -- the same u in every group: position floor(u * size) + 1 of the sorted ratios
        floor(draws.u * drawable.group_size)::bigint + 1 as position
    from drawable
    inner join draws using (project_id)
),

group_draws as (
    select
        picks.*,
        ratio_points.ratio.duration_ratio as duration_ratio,
        ratio_points.ratio.effort_ratio as effort_ratio
    from picks
    inner join ratio_points using (group_key, position)
),

project_draws as (
    select
        group_draws.project_id,
        group_draws.draw,
        -- working-day number (on the project's calendar) of the latest task finish
        max(
            group_draws.as_of_wd_through
            + greatest(
                -- (less 1e-9, so that a product like 4 * 1.5 = 6.000000000000001 stays 6)
                ceil(
                    group_draws.status_wd_through - group_draws.as_of_wd_through
                    + group_plans.plan_worked_working_days * group_draws.duration_ratio * group_draws.wait_factor
                    + group_plans.plan_paused_working_days - 1e-9
                ),
                1
            )::bigint
        ) as finish_wd,
        -- each group's cost once (on its plan with the most paused days)
        sum(group_draws.remaining_budget * group_draws.effort_ratio)
            filter (where group_plans.carries_cost) as remaining_cost
    from group_draws
    inner join group_plans using (project_id, group_key)
    group by group_draws.project_id, group_draws.draw
),

quantiles as (
    -- a quantile of working-day numbers maps to the same quantile of dates (the map is monotone)
    select
        project_id,
        count(*) as draws,
        quantile_disc(finish_wd, [0.5, 0.8, 0.95]) as finish_wd_q,
        quantile_disc(remaining_cost, [0.5, 0.8, 0.95]) as remaining_cost_q
    from project_draws
    group by project_id
),

forecasts as materialized (
    select
        projects.*,
        coalesce(open_counts.tasks_remaining, 0) as tasks_remaining,
        open_counts.remaining_budget,
        quantiles.draws,
        case
            when open_counts.tasks_remaining is null
                then [projects.as_of_wd_through + 1, projects.as_of_wd_through + 1,
                      projects.as_of_wd_through + 1]
            else quantiles.finish_wd_q
        end as finish_wd_q,
        case
            when open_counts.tasks_remaining is null then [0.0, 0.0, 0.0]
            else quantiles.remaining_cost_q
        end as remaining_cost_q
    from projects
    left join open_counts using (project_id)
    left join quantiles using (project_id)
),

targets as (
    select
        project_id,
        working_weekdays,
        unnest(range(1, 4)) as level,  -- 1: P50, 2: P80, 3: P95
        unnest(finish_wd_q) as target_wd
    from forecasts
    where finish_wd_q is not null
),

placed as (
    -- past the calendar's end working days follow the weekly pattern (int_calendar_end)
    select
        targets.*,
        targets.target_wd - calendar_end.last_wd as beyond_calendar,
        calendar_end.last_day,
        calendar_end.per_week,
        calendar_end.week_offsets
    from targets
    inner join intermediate.int_calendar_end as calendar_end using (working_weekdays)
),

target_dates as (
    -- within the calendar: look the working day up
    select placed.project_id, placed.level, calendar.day as finish_date
    from placed
    inner join intermediate.int_calendar as calendar
        on calendar.working_weekdays = placed.working_weekdays
        and calendar.wd_through = placed.target_wd
        and calendar.is_working_day
    where placed.beyond_calendar <= 0
    union all
    -- beyond it: whole weeks, then the n-th working day of the next week
    select
        placed.project_id,
        placed.level,
        placed.last_day
            + (7 * ((placed.beyond_calendar - 1) // placed.per_week)
               + placed.week_offsets[(placed.beyond_calendar - 1) % placed.per_week + 1])::integer
            as finish_date
    from placed
    where placed.beyond_calendar > 0
        and placed.per_week > 0
        and 7 * ((placed.beyond_calendar - 1) // placed.per_week)
            + placed.week_offsets[(placed.beyond_calendar - 1) % placed.per_week + 1]
            <= date '9999-12-31' - placed.last_day
),

finish_dates as (
    select
        project_id,
        any_value(finish_date) filter (where level = 1) as finish_p50,
        any_value(finish_date) filter (where level = 2) as finish_p80,
        any_value(finish_date) filter (where level = 3) as finish_p95
    from target_dates
    group by project_id
)

select
    forecasts.project_id,
    forecasts.as_of,
    finish_dates.finish_p50,
    finish_dates.finish_p80,
    finish_dates.finish_p95,
    forecasts.ac + forecasts.remaining_cost_q[1] as eac_p50,
    forecasts.ac + forecasts.remaining_cost_q[2] as eac_p80,
    forecasts.ac + forecasts.remaining_cost_q[3] as eac_p95,
    forecasts.ac,
    forecasts.remaining_budget,
    forecasts.tasks_remaining,
    coalesce(forecasts.draws, 0) as draws
from forecasts
left join finish_dates using (project_id)
