-- int_calendar: one row per working-week pattern and calendar day (calendar_start..calendar_end).
-- A pattern is a project's working_weekdays (7 characters Monday..Sunday); its working days
-- are those weekdays minus holidays. '1111100' is also the people calendar (Monday to Friday
-- minus holidays). wd_through counts working days from calendar_start through the day and
-- wd_before those before it, so wd(a, b) = greatest(wd_through(b) - wd_before(a), 0).
with patterns as (
    select distinct working_weekdays
    from staging.stg_projects
    union
    select '1111100' as working_weekdays  -- people calendar and default project calendar
),

days as (
    select unnest(generate_series(calendar_start, calendar_end, interval 1 day))::date as day
    from intermediate.int_date_bounds
),

working_flags as (
    select
        patterns.working_weekdays,
        days.day,
        substr(patterns.working_weekdays, isodow(days.day), 1) = '1'
            and holidays.holiday_date is null as is_working_day
    from patterns
    cross join days
    left join staging.stg_holidays as holidays on holidays.holiday_date = days.day
)

select
    working_weekdays,
    day,
    is_working_day,
    (sum(is_working_day::integer) over pattern_days)::integer as wd_through,
    (sum(is_working_day::integer) over pattern_days)::integer - is_working_day::integer
        as wd_before
from working_flags
window pattern_days as (partition by working_weekdays order by day)
