-- int_horizon_days: one row per day of the look-ahead horizon of kpi_capacity, D+1 .. the Sunday
-- of the horizon_weeks-th ISO week after the week of D (docs/kpis.md, Capacity). When D is not a
-- Sunday, the rest of the week of D (D+1 .. Sunday) comes first, as a partial week: its days up to
-- D are in kpi_utilization, the others here, so every day is counted exactly once. A people
-- working day is Monday to Friday minus holidays (the same calendar as int_employee_days).
with bounds as (
    select
        as_of,
        date_trunc('week', as_of)::date
            + (7 * (getvariable('horizon_weeks')::integer + 1) - 1) as horizon_end
    from intermediate.int_date_bounds
),

days as (
    select
        bounds.as_of,
        bounds.horizon_end,
        unnest(generate_series(bounds.as_of + 1, bounds.horizon_end, interval 1 day))::date as day
    from bounds
)

select
    days.day,
    date_trunc('week', days.day)::date as week_start,
    date_trunc('week', days.day)::date <= days.as_of as is_partial_week,
    isodow(days.day) <= 5 and holidays.holiday_date is null as is_people_working_day,
    days.as_of,
    days.horizon_end
from days
left join (select distinct holiday_date from staging.stg_holidays) as holidays
    on holidays.holiday_date = days.day
