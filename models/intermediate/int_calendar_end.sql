-- int_calendar_end: one row per working-week pattern of int_calendar, for turning a working-day
-- number into a date past the calendar's end (docs/kpis.md: forecast_end_date, Forecast).
-- last_day = calendar_end and last_wd = the pattern's wd_through there. After calendar_end there
-- are no holidays: working days follow the weekly pattern, per_week of them a week, the first
-- week's at week_offsets (days after calendar_end, ascending, 1..7). So working day number
-- last_wd + n (n >= 1) falls on
--   last_day + 7 * ((n - 1) // per_week) + week_offsets[(n - 1) % per_week + 1]
-- (none when per_week = 0). Up to last_wd the day is the int_calendar row with that wd_through
-- that is a working day.
with calendar_end as (
    select
        calendar.working_weekdays,
        calendar.day as last_day,
        calendar.wd_through as last_wd
    from intermediate.int_calendar as calendar
    inner join intermediate.int_date_bounds as bounds on calendar.day = bounds.calendar_end
)

select
    calendar_end.working_weekdays,
    calendar_end.last_day,
    calendar_end.last_wd,
    count(day_offsets.day_offset) as per_week,
    coalesce(
        list(day_offsets.day_offset order by day_offsets.day_offset)
            filter (where day_offsets.day_offset is not null),
        []
    ) as week_offsets
from calendar_end
left join range(1, 8) as day_offsets(day_offset)
    on substr(
        calendar_end.working_weekdays, isodow(calendar_end.last_day + day_offsets.day_offset::integer), 1
    ) = '1'
group by all
