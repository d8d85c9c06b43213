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
-- In a draw a task finishes on working day as_of_wd_through + max(1, ceil(plan_left_working_days
-- * duration_ratio)) of the project's calendar and costs remaining_budget * effort_ratio more;
-- finish = the latest task finish, EAC = AC + the sum of the remaining costs. Within a group
-- the ratio is the same for every task of the draw, so only the group's longest plan_left and
-- its summed remaining budget matter: the draws run over (project, group) pairs, not tasks.
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
        max(tasks.plan_left_working_days) as plan_left_working_days,
        sum(tasks.remaining_budget) as remaining_budget,
        any_value(ratio_groups.ratio_points) as group_size
    from intermediate.int_forecast_tasks as tasks
    inner join intermediate.int_forecast_ratio_groups as ratio_groups using (group_key)
    group by tasks.project_id, tasks.group_key
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
        project_id,
        draw,
        -- working-day number (on the project's calendar) of the latest task finish
        max(
            as_of_wd_through
            -- (less 1e-9, so that a product like 4 * 1.5 = 6.000000000000001 stays 6)
            + greatest(ceil(plan_left_working_days * duration_ratio - 1e-9), 1)::bigint
        ) as finish_wd,
        sum(remaining_budget * effort_ratio) as remaining_cost
    from group_draws
    group by project_id, draw
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

calendar_end as (
    -- after calendar_end there are no holidays: working days follow the weekly pattern
    select
        calendar.working_weekdays,
        calendar.day as last_day,
        calendar.wd_through as last_wd
    from intermediate.int_calendar as calendar
    inner join intermediate.int_date_bounds as bounds on calendar.day = bounds.calendar_end
),

week_after_calendar as (
    -- the working days among the 7 days after calendar_end, numbered, per pattern
    select
        calendar_end.working_weekdays,
        day_offsets.day_offset,
        row_number() over pattern_week as nth_in_week,
        count(*) over (partition by calendar_end.working_weekdays) as per_week
    from calendar_end
    cross join range(1, 8) as day_offsets(day_offset)
    where substr(
        calendar_end.working_weekdays,
        isodow(calendar_end.last_day + day_offsets.day_offset::integer),
        1
    ) = '1'
    window pattern_week as (
        partition by calendar_end.working_weekdays order by day_offsets.day_offset
    )
),

placed as (
    select targets.*, targets.target_wd - calendar_end.last_wd as beyond_calendar, calendar_end.last_day
    from targets
    inner join calendar_end using (working_weekdays)
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
            + (7 * ((placed.beyond_calendar - 1) // week.per_week) + week.day_offset)::integer
            as finish_date
    from placed
    inner join week_after_calendar as week
        on week.working_weekdays = placed.working_weekdays
        and week.nth_in_week = (placed.beyond_calendar - 1) % week.per_week + 1
    where placed.beyond_calendar > 0
        and 7 * ((placed.beyond_calendar - 1) // week.per_week) + week.day_offset
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
