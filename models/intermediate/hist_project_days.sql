-- hist_project_days: one row per project and as-of day d, from the project's start_date to D
-- (the history's date spine); the project as of d exactly as int_projects computes it as of D
-- (time travel: an end date after d is not known yet, the schedule clock stops at the finish).
-- Only started projects get days: kpi_project reports a project from its start_date on.
-- Days before the project's hist_tail day are not computed (a nightly run keeps those it has).
with projects as (
    select
        projects.*,
        start_day.wd_before as start_wd_before,
        greatest(planned_end_day.wd_through - start_day.wd_before, 0) as planned_duration
    from staging.stg_projects as projects
    inner join intermediate.int_calendar as start_day
        on start_day.working_weekdays = projects.working_weekdays
        and start_day.day = projects.start_date
    inner join intermediate.int_calendar as planned_end_day
        on planned_end_day.working_weekdays = projects.working_weekdays
        and planned_end_day.day = projects.planned_end_date
),

days as (
    select
        projects.*,
        unnest(generate_series(greatest(projects.start_date, tail.from_day), bounds.as_of,
            interval 1 day))::date as as_of
    from projects
    inner join intermediate.hist_tail as tail using (project_id)
    cross join intermediate.int_date_bounds as bounds
    where projects.start_date <= bounds.as_of
)

select
    days.project_id,
    days.project_name,
    days.department,
    days.project_manager_id,
    days.pmo_type,
    days.status,
    days.working_weekdays,
    days.start_date,
    days.planned_end_date,
    case when days.actual_end_date <= days.as_of then days.actual_end_date end as actual_end_date,
    days.budget,
    days.expected_benefit,
    days.realized_benefit,
    days.as_of,
    true as is_started,
    coalesce(days.actual_end_date <= days.as_of, false) as is_finished,
    coalesce(days.status = 'cancelled', false) as is_cancelled,
    days.start_wd_before,
    greatest(clock_day.wd_through - days.start_wd_before, 0) as actual_time,
    days.planned_duration,
    -- W(d): the project's working-day counter at d, which the planned fractions are read from
    as_of_day.wd_through as as_of_wd_through
from days
inner join intermediate.int_calendar as clock_day
    on clock_day.working_weekdays = days.working_weekdays
    and clock_day.day = least(days.actual_end_date, days.as_of)
inner join intermediate.int_calendar as as_of_day
    on as_of_day.working_weekdays = days.working_weekdays
    and as_of_day.day = days.as_of
