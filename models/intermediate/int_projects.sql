-- int_projects: one row per project; the project as of D, placed on its own working-day
-- calendar: actual_time = AT = wd(start_date, D), for a project finished at D wd(start_date,
-- actual_end_date) (its clock stops at its finish), planned_duration = PD = wd(start_date,
-- planned_end_date), and start_wd_before, which numbers its working days from start_date (the
-- k-th working day on or after start_date has wd_through = start_wd_before + k).
with projects as (
    select
        projects.*,
        bounds.as_of,
        -- the day the schedule clock reads: D, or the finish when the project finished by D
        case
            when projects.actual_end_date <= bounds.as_of then projects.actual_end_date
            else bounds.as_of
        end as clock_day
    from staging.stg_projects as projects
    cross join intermediate.int_date_bounds as bounds
)

select
    projects.project_id,
    projects.project_name,
    projects.department,
    projects.project_manager_id,
    projects.pmo_type,
    projects.status,
    projects.working_weekdays,
    projects.start_date,
    projects.planned_end_date,
    -- time travel: an end date after D is not known yet
    case when projects.actual_end_date <= projects.as_of then projects.actual_end_date end
        as actual_end_date,
    projects.budget,
    projects.expected_benefit,
    projects.realized_benefit,
    projects.as_of,
    projects.start_date <= projects.as_of as is_started,
    coalesce(projects.actual_end_date <= projects.as_of, false) as is_finished,
    coalesce(projects.status = 'cancelled', false) as is_cancelled,
    start_day.wd_before as start_wd_before,
    greatest(clock_day.wd_through - start_day.wd_before, 0) as actual_time,
    greatest(planned_end_day.wd_through - start_day.wd_before, 0) as planned_duration
from projects
inner join intermediate.int_calendar as start_day
    on start_day.working_weekdays = projects.working_weekdays
    and start_day.day = projects.start_date
inner join intermediate.int_calendar as clock_day
    on clock_day.working_weekdays = projects.working_weekdays
    and clock_day.day = projects.clock_day
inner join intermediate.int_calendar as planned_end_day
    on planned_end_day.working_weekdays = projects.working_weekdays
    and planned_end_day.day = projects.planned_end_date
