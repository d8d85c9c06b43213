-- int_project_earned_schedule: one row per project; earned schedule as of D
-- in working days of the project's calendar: AT, PD, PV(AT), ES (capped at PD), SPI(t), SV(t),
-- EAC(t) and the forecast end date (finished projects: actual_end_date). Null where EV is.
with projects as (
    select
        projects.project_id,
        projects.working_weekdays,
        projects.start_wd_before,
        projects.actual_time,
        projects.planned_duration,
        projects.is_finished,
        projects.actual_end_date,
        earned_value.bac,
        earned_value.total_weight,
        earned_value.ev,
        -- PVs within this of EV count as equal: the curve and EV sum the same numbers in a
        -- different order, so an on-plan project must not depend on the last bit
        1e-9 * abs(earned_value.bac) as tolerance
    from intermediate.int_projects as projects
    inner join intermediate.int_project_earned_value as earned_value using (project_id)
    where earned_value.ev is not null
),

curve as (
    -- PV(k) in money at each breakpoint, and the slope (PV per working day) after and before it
    select
        curve.project_id,
        curve.k,
        curve.next_k,
        projects.bac * curve.planned_weight / projects.total_weight as pv_k,
        projects.bac * curve.slope / projects.total_weight as slope,
        projects.bac * curve.slope_before / projects.total_weight as slope_before
    from intermediate.int_project_pv_curve as curve
    inner join projects using (project_id)
),

pv_at_actual_time as (
    -- PV(AT): on the segment that contains AT
    select
        projects.project_id,
        curve.pv_k + curve.slope * (projects.actual_time - curve.k) as pv_at
    from projects
    inner join curve
        on curve.project_id = projects.project_id
        and curve.k <= projects.actual_time
        and (curve.next_k > projects.actual_time or curve.next_k is null)
),

crossings as (
    select
        projects.project_id,
        -- EV < PV(AT): C is on the segment after the last breakpoint with PV <= EV
        max(curve.k) filter (where curve.pv_k <= projects.ev + projects.tolerance) as below_k,
        max_by(curve.pv_k, curve.k) filter (where curve.pv_k <= projects.ev + projects.tolerance)
            as below_pv,
        max_by(curve.slope, curve.k) filter (where curve.pv_k <= projects.ev + projects.tolerance)
            as below_slope,
        -- EV > PV(AT): C is on the segment before the first breakpoint after AT with PV >= EV
        min(curve.k) filter (
            where curve.k > projects.actual_time and curve.pv_k >= projects.ev - projects.tolerance
        ) as above_k,
        min_by(curve.pv_k, curve.k) filter (
            where curve.k > projects.actual_time and curve.pv_k >= projects.ev - projects.tolerance
        ) as above_pv,
        min_by(curve.slope_before, curve.k) filter (
            where curve.k > projects.actual_time and curve.pv_k >= projects.ev - projects.tolerance
        ) as above_slope
    from projects
    inner join curve using (project_id)
    group by projects.project_id
),

earned_schedule as (
    -- within a segment PV is linear, so the interpolation between C and C+1 (or C-1 and C)
    -- of docs/kpis.md is the point where the segment reaches EV
    select
        projects.*,
        pv_at_actual_time.pv_at,
        least(
            case
                when abs(projects.ev - pv_at_actual_time.pv_at) <= projects.tolerance
                    then projects.actual_time::double
                when projects.ev < pv_at_actual_time.pv_at
                    then crossings.below_k
                        + (projects.ev - crossings.below_pv) / nullif(crossings.below_slope, 0)
                -- EV above every later PV (only through rounding): ES is capped at PD anyway
                else coalesce(
                    crossings.above_k
                        - (crossings.above_pv - projects.ev) / nullif(crossings.above_slope, 0),
                    projects.planned_duration
                )
            end,
            projects.planned_duration
        ) as es
    from projects
    inner join pv_at_actual_time using (project_id)
    inner join crossings using (project_id)
),

schedule_ratios as (
    select
        earned_schedule.*,
        es / nullif(actual_time, 0) as spi_t,
        es - actual_time as sv_t
    from earned_schedule
),

forecast_durations as (
    select
        schedule_ratios.*,
        planned_duration / nullif(spi_t, 0) as eac_t
    from schedule_ratios
),

forecast_numbers as (
    -- forecast = the working day numbered ceil(EAC(t)) from start_date; EAC(t) is rounded to
    -- 1e-9 first so that e.g. 11 / (11 / 15) = 15.000000000000002 stays day 15. Beyond a billion
    -- working days there is no date to show.
    select
        forecast_durations.*,
        case
            when eac_t > 0 and eac_t < 1e9 then ceil(round(eac_t, 9))::bigint
        end as forecast_working_day
    from forecast_durations
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
        calendar_end.working_weekdays, isodow(calendar_end.last_day + day_offsets.day_offset::integer), 1
    ) = '1'
    window pattern_week as (partition by calendar_end.working_weekdays order by day_offsets.day_offset)
),

forecast_targets as (
    select
        forecast_numbers.project_id,
        forecast_numbers.working_weekdays,
        forecast_numbers.start_wd_before + forecast_numbers.forecast_working_day as target_wd,
        forecast_numbers.start_wd_before + forecast_numbers.forecast_working_day
            - calendar_end.last_wd as beyond_calendar,
        calendar_end.last_day
    from forecast_numbers
    inner join calendar_end using (working_weekdays)
    where forecast_numbers.forecast_working_day is not null
),

forecast_dates as (
    -- within the calendar: look the day up
    select forecast_targets.project_id, calendar.day as forecast_date
    from forecast_targets
    inner join intermediate.int_calendar as calendar
        on calendar.working_weekdays = forecast_targets.working_weekdays
        and calendar.wd_through = forecast_targets.target_wd
        and calendar.is_working_day
    where forecast_targets.beyond_calendar <= 0
    union all
    -- beyond it: whole weeks, then the n-th working day of the next week
    select
        forecast_targets.project_id,
        forecast_targets.last_day
            + (7 * ((forecast_targets.beyond_calendar - 1) // week.per_week) + week.day_offset)::integer
            as forecast_date
    from forecast_targets
    inner join week_after_calendar as week
        on week.working_weekdays = forecast_targets.working_weekdays
        and week.nth_in_week = (forecast_targets.beyond_calendar - 1) % week.per_week + 1
    where forecast_targets.beyond_calendar > 0
        -- no date after 9999-12-31
        and 7 * ((forecast_targets.beyond_calendar - 1) // week.per_week) + week.day_offset
            <= date '9999-12-31' - forecast_targets.last_day
)

select
    all_projects.project_id,
    all_projects.actual_time,
    all_projects.planned_duration,
    forecast_numbers.pv_at,
    forecast_numbers.es,
    forecast_numbers.spi_t,
    forecast_numbers.sv_t,
    forecast_numbers.eac_t,
    case
        when all_projects.is_finished then all_projects.actual_end_date
        else forecast_dates.forecast_date
    end as forecast_end_date
from intermediate.int_projects as all_projects
left join forecast_numbers using (project_id)
left join forecast_dates using (project_id)
