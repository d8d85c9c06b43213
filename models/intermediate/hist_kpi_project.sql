-- hist_kpi_project: kpi_project for every project day of hist_project_days (every day from a
-- project's start_date to D): the same SELECT as models/marts/kpi_project.sql over the history
-- models, joined on (project_id, as_of) instead of project_id. A row for day d equals the
-- kpi_project row of a build as of d (tests/test_history_range.py).
with projects as (
    select *
    from intermediate.hist_project_days
    where is_started
),

measures as (
    select
        projects.*,
        earned_value.bac,
        earned_value.pv,
        earned_value.ev,
        actuals.ac,
        actuals.labour_cost,
        actuals.expense_cost,
        earned_value.planned_hours,
        earned_value.planned_hours_to_date,
        earned_value.earned_hours,
        actuals.actual_hours,
        earned_value.planned_hours_done,
        actuals.actual_hours_done,
        earned_value.tasks_total,
        earned_value.tasks_done,
        earned_value.tasks_overdue,
        earned_value.tasks_done_on_time,
        earned_value.tasks_due,
        schedule.es,
        schedule.pv_at,
        schedule.spi_t,
        schedule.sv_t,
        schedule.eac_t,
        schedule.forecast_end_date
    from projects
    inner join intermediate.hist_project_earned_value as earned_value using (project_id, as_of)
    inner join intermediate.hist_project_actuals as actuals using (project_id, as_of)
    inner join intermediate.hist_project_earned_schedule as schedule using (project_id, as_of)
),

performance as (
    select
        measures.*,
        ev - ac as cv,
        ev - pv as sv,
        ev / nullif(ac, 0) as cpi,
        ev / nullif(pv, 0) as spi
    from measures
),

estimates as (
    select
        performance.*,
        cpi * spi as csi,
        -- EAC = BAC / CPI, BAC while nothing is spent; null when CPI is 0 or undefined
        case when ac = 0 then bac else bac / nullif(cpi, 0) end as eac,
        ac + (bac - ev) as eac_atypical,
        ac + (bac - ev) / nullif(cpi * spi, 0) as eac_composite,
        case when bac > ac then (bac - ev) / (bac - ac) end as tcpi
    from performance
),

delivery as (
    select
        estimates.*,
        case when is_finished then actual_end_date <= planned_end_date end as on_time,
        case when is_finished then actual_end_date - planned_end_date end as delay_days,
        coalesce(realized_benefit, expected_benefit) as benefit
    from estimates
),

health as (
    select
        delivery.*,
        case
            when is_cancelled then 'cancelled'
            when is_finished then
                case
                    when not on_time or cpi < getvariable('health_red_below') then 'red'
                    when cpi < getvariable('health_amber_below') then 'amber'
                    else 'green'
                end
            -- unfinished: the worse of CPI and SPI, nulls ignored
            when least(cpi, spi) is null then 'unknown'
            when least(cpi, spi) < getvariable('health_red_below') then 'red'
            when least(cpi, spi) < getvariable('health_amber_below') then 'amber'
            else 'green'
        end as health
    from delivery
)

select
    project_id,
    project_name,
    department,
    pmo_type,
    status,
    as_of,
    bac,
    pv,
    ev,
    ac,
    cv,
    sv,
    cpi,
    spi,
    csi,
    eac,
    eac - ac as etc,
    bac - eac as vac,
    eac_atypical,
    eac_composite,
    tcpi,
    es,
    actual_time as "at",
    spi_t,
    sv_t,
    forecast_end_date,
    planned_hours,
    planned_hours_to_date,
    earned_hours,
    actual_hours,
    earned_hours / nullif(actual_hours, 0) as hours_efficiency,
    planned_hours_done,
    actual_hours_done,
    actual_hours_done / nullif(planned_hours_done, 0) as estimate_ratio,
    tasks_total,
    tasks_done,
    tasks_done / nullif(tasks_total, 0) as pct_tasks_done,
    tasks_overdue,
    tasks_done_on_time,
    tasks_done / nullif(tasks_due, 0) as bei,
    planned_end_date,
    actual_end_date,
    on_time,
    delay_days,
    case when is_finished then (benefit - ac) / nullif(ac, 0) end as roi,
    (expected_benefit - eac) / nullif(eac, 0) as expected_roi,
    health,
    -- more than docs/outputs.md asks: inputs of the columns above, for drill-down
    start_date,
    planned_duration as pd,
    pv_at,
    eac_t,
    labour_cost,
    expense_cost,
    benefit,
    expected_benefit,
    is_finished,
    is_cancelled,
    not is_finished and not is_cancelled as is_active
from health
