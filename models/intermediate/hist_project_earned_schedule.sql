-- hist_project_earned_schedule: int_project_earned_schedule for every project day of
-- hist_project_days. The PV curve at d is that of the scope version d falls in
-- (hist_project_pv_curve); PV(AT) and the crossing C where PV reaches EV are found by as-of
-- joins on the curve instead of scanning it: PV is non-decreasing in k, so "the last breakpoint
-- with PV <= EV" is the as-of match on PV, and "the first breakpoint after AT with PV >= EV",
-- needed only when EV > PV(AT), is the first one with PV >= EV (every earlier one is <= PV(AT)).
with projects as (
    select
        days.project_id,
        days.as_of,
        days.working_weekdays,
        days.start_wd_before,
        days.actual_time,
        days.planned_duration,
        days.is_finished,
        days.actual_end_date,
        earned_value.bac,
        earned_value.total_weight,
        earned_value.ev,
        scope.valid_from,
        -- PVs within this of EV count as equal (see int_project_earned_schedule)
        1e-9 * abs(earned_value.bac) as tolerance
    from intermediate.hist_project_days as days
    inner join intermediate.hist_project_earned_value as earned_value using (project_id, as_of)
    asof inner join intermediate.hist_project_scope as scope
        on scope.project_id = days.project_id and scope.valid_from <= days.as_of
    where earned_value.ev is not null
),

curve as (
    -- PV(k) in money per version; BAC and W are the same on every day of a version
    select
        curve.project_id,
        curve.valid_from,
        curve.k,
        scope.bac * curve.planned_weight / scope.total_weight as pv_k,
        scope.bac * curve.slope / scope.total_weight as slope,
        scope.bac * curve.slope_before / scope.total_weight as slope_before
    from intermediate.hist_project_pv_curve as curve
    inner join (
        select distinct project_id, valid_from, bac, total_weight from projects
    ) as scope using (project_id, valid_from)
),

below as (
    -- per PV value the last breakpoint reaching it (flat stretches repeat a value)
    select project_id, valid_from, pv_k, max(k) as k, max_by(slope, k) as slope
    from curve
    group by project_id, valid_from, pv_k
),

above as (
    -- per PV value the first breakpoint reaching it, with the slope before it
    select project_id, valid_from, pv_k, min(k) as k, min_by(slope_before, k) as slope_before
    from curve
    group by project_id, valid_from, pv_k
),

searched as (
    select
        projects.*,
        at_curve.pv_k + at_curve.slope * (projects.actual_time - at_curve.k) as pv_at,
        below.k as below_k,
        below.pv_k as below_pv,
        below.slope as below_slope,
        above.k as above_k,
        above.pv_k as above_pv,
        above.slope_before as above_slope
    from projects
    -- PV(AT): the segment starting at the last breakpoint on or before AT
    asof inner join curve as at_curve
        on at_curve.project_id = projects.project_id
        and at_curve.valid_from = projects.valid_from
        and at_curve.k <= projects.actual_time
    asof left join below
        on below.project_id = projects.project_id
        and below.valid_from = projects.valid_from
        and below.pv_k <= projects.ev + projects.tolerance
    asof left join above
        on above.project_id = projects.project_id
        and above.valid_from = projects.valid_from
        and above.pv_k >= projects.ev - projects.tolerance
),

earned_schedule as (
    select
        searched.*,
        least(
            case
                when abs(ev - pv_at) <= tolerance then actual_time::double
                when ev < pv_at then below_k + (ev - below_pv) / nullif(below_slope, 0)
                else coalesce(above_k - (above_pv - ev) / nullif(above_slope, 0), planned_duration)
            end,
            planned_duration
        ) as es
    from searched
),

forecast_numbers as (
    select
        earned_schedule.*,
        es / nullif(actual_time, 0) as spi_t,
        es - actual_time as sv_t,
        planned_duration / nullif(es / nullif(actual_time, 0), 0) as eac_t,
        case
            when planned_duration / nullif(es / nullif(actual_time, 0), 0) > 0
                and planned_duration / nullif(es / nullif(actual_time, 0), 0) < 1e9
                then ceil(round(planned_duration / nullif(es / nullif(actual_time, 0), 0), 9))::bigint
        end as forecast_working_day
    from earned_schedule
),

forecast_targets as (
    select
        forecast_numbers.project_id,
        forecast_numbers.as_of,
        forecast_numbers.working_weekdays,
        forecast_numbers.start_wd_before + forecast_numbers.forecast_working_day as target_wd,
        forecast_numbers.start_wd_before + forecast_numbers.forecast_working_day
            - calendar_end.last_wd as beyond_calendar,
        calendar_end.last_day,
        calendar_end.per_week,
        calendar_end.week_offsets
    from forecast_numbers
    inner join intermediate.int_calendar_end as calendar_end using (working_weekdays)
    where forecast_numbers.forecast_working_day is not null
),

forecast_dates as (
    select forecast_targets.project_id, forecast_targets.as_of, calendar.day as forecast_date
    from forecast_targets
    inner join intermediate.int_calendar as calendar
        on calendar.working_weekdays = forecast_targets.working_weekdays
        and calendar.wd_through = forecast_targets.target_wd
        and calendar.is_working_day
    where forecast_targets.beyond_calendar <= 0
    union all
    -- past the calendar's end working days follow the weekly pattern (int_calendar_end)
    select
        forecast_targets.project_id,
        forecast_targets.as_of,
        forecast_targets.last_day
            + (7 * ((forecast_targets.beyond_calendar - 1) // forecast_targets.per_week)
               + forecast_targets.week_offsets[
                   (forecast_targets.beyond_calendar - 1) % forecast_targets.per_week + 1])::integer
            as forecast_date
    from forecast_targets
    where forecast_targets.beyond_calendar > 0
        and forecast_targets.per_week > 0
        and 7 * ((forecast_targets.beyond_calendar - 1) // forecast_targets.per_week)
            + forecast_targets.week_offsets[(forecast_targets.beyond_calendar - 1) % forecast_targets.per_week + 1]
            <= date '9999-12-31' - forecast_targets.last_day
)

select
    all_days.project_id,
    all_days.as_of,
    all_days.actual_time,
    all_days.planned_duration,
    forecast_numbers.pv_at,
    forecast_numbers.es,
    forecast_numbers.spi_t,
    forecast_numbers.sv_t,
    forecast_numbers.eac_t,
    case
        when all_days.is_finished then all_days.actual_end_date
        else forecast_dates.forecast_date
    end as forecast_end_date
from intermediate.hist_project_days as all_days
left join forecast_numbers using (project_id, as_of)
left join forecast_dates using (project_id, as_of)
