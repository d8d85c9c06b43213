-- kpi_portfolio: one row per department, plus one row 'ALL', as of D: active projects by
-- health, portfolio CPI/SPI, share of tasks done, delivery and ROI over the last 12 months
-- and the utilization of the department's employees over the last 28 days (docs/kpis.md).
with projects as (
    select
        *,
        -- finished in (D - 365, D]
        is_finished and actual_end_date > as_of - 365 as finished_12m
    from marts.kpi_project
),

window_days as (
    -- employee-days D-27 .. D, by the employee's department
    select days.*
    from intermediate.int_employee_days as days
    cross join intermediate.int_date_bounds as bounds
    where days.day between bounds.as_of - 27 and bounds.as_of
),

departments as (
    -- every department with a started project or with employees in the 28-day window
    select department from projects
    union
    select department from window_days where department is not null
    union
    select 'ALL' as department
),

project_measures as (
    select
        case when grouping(department) = 1 then 'ALL' else department end as department,
        count(*) filter (where is_active) as projects_active,
        count(*) filter (where is_active and health = 'red') as projects_red,
        count(*) filter (where is_active and health = 'amber') as projects_amber,
        count(*) filter (where is_active and health = 'green') as projects_green,
        -- over the projects whose AC is known (null: hours booked without an hourly cost)
        sum(ev) filter (where is_active and ac is not null)
            / nullif(sum(ac) filter (where is_active), 0) as portfolio_cpi,
        sum(ev) filter (where is_active)
            / nullif(sum(pv) filter (where is_active), 0) as portfolio_spi,
        sum(tasks_done) filter (where is_active)
            / nullif(sum(tasks_total) filter (where is_active), 0) as pct_tasks_done,
        count(*) filter (where finished_12m) as projects_finished_12m,
        count(*) filter (where finished_12m and on_time) as projects_on_time_12m,
        -- a missing benefit adds nothing to the benefits
        (coalesce(sum(benefit) filter (where finished_12m and ac is not null), 0)
            - sum(ac) filter (where finished_12m))
            / nullif(sum(ac) filter (where finished_12m), 0) as roi_12m
    from projects
    group by grouping sets ((department), ())
),

utilization as (
    select
        case when grouping(department) = 1 then 'ALL' else department end as department,
        sum(project_hours) / nullif(sum(available_hours), 0) as utilization_28d
    from window_days
    group by grouping sets ((department), ())
)

select
    departments.department,
    bounds.as_of,
    coalesce(project_measures.projects_active, 0) as projects_active,
    coalesce(project_measures.projects_red, 0) as projects_red,
    coalesce(project_measures.projects_amber, 0) as projects_amber,
    coalesce(project_measures.projects_green, 0) as projects_green,
    project_measures.portfolio_cpi,
    project_measures.portfolio_spi,
    project_measures.pct_tasks_done,
    coalesce(project_measures.projects_finished_12m, 0) as projects_finished_12m,
    coalesce(project_measures.projects_on_time_12m, 0) as projects_on_time_12m,
    project_measures.projects_on_time_12m
        / nullif(project_measures.projects_finished_12m, 0) as pct_on_time_12m,
    project_measures.roi_12m,
    utilization.utilization_28d
from departments
cross join intermediate.int_date_bounds as bounds
left join project_measures using (department)
left join utilization using (department)
