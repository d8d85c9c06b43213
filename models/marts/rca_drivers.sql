-- rca_drivers: one row per project started on or before D and root-cause driver (docs/kpis.md,
-- Root-cause drivers): the share of the project's hours under the driver, the driver's baseline
-- (median share over green projects), lift and flag; failing (red) projects rank their flagged
-- drivers by share - baseline, and every row of a failing project carries its primary_driver
-- (rank 1, or 'unexplained' when no driver is flagged).
-- Shares are sums of rca_evidence (the tasks, employees and hours behind them) over the basis:
-- the project's actual hours up to D, or its in-scope planned hours for scope_creep; null when
-- the basis is 0. A null baseline (no green project with a defined share) counts as 0 in the
-- flag and the ranking, and lift uses the floor then.
with projects as (
    select project_id, as_of, department, health, actual_hours, planned_hours
    from marts.kpi_project
),

drivers as (
    select *
    from (values
        (1, 'over_allocation'), (2, 'skill_gap'), (3, 'training_gap'),
        (4, 'estimation'), (5, 'turnover'), (6, 'scope_creep')
    ) as drivers(driver_order, driver)
),

driver_hours as (
    select project_id, driver, sum(hours) as hours
    from marts.rca_evidence
    group by project_id, driver
),

shares as (
    select
        projects.project_id,
        projects.as_of,
        projects.department,
        projects.health,
        projects.health = 'red' as is_failing,
        drivers.driver,
        drivers.driver_order,
        coalesce(driver_hours.hours, 0.0) as driver_hours,
        case when drivers.driver = 'scope_creep' then projects.planned_hours
             else projects.actual_hours end as basis_hours
    from projects
    cross join drivers
    left join driver_hours using (project_id, driver)
),

baselines as (
    select
        shares.*,
        driver_hours / nullif(basis_hours, 0) as share
    from shares
),

with_baseline as (
    select
        baselines.*,
        median(share) filter (where health = 'green') over (partition by driver) as baseline
    from baselines
),

flags as (
    select
        with_baseline.*,
        share / greatest(coalesce(baseline, 0.0), getvariable('driver_baseline_floor')::double) as lift,
        share - coalesce(baseline, 0.0) as excess_share,
        coalesce(
            share >= getvariable('driver_min_share')::double
            and share >= getvariable('driver_min_lift')::double * coalesce(baseline, 0.0),
            false
        ) as flagged
    from with_baseline
),

ranked as (
    select
        flags.*,
        case when is_failing and flagged then
            row_number() over (
                partition by project_id, is_failing and flagged
                order by excess_share desc, driver_order
            )
        end as driver_rank
    from flags
)

select
    project_id,
    as_of,
    driver,
    share,
    baseline,
    lift,
    flagged,
    driver_rank as "rank",
    department,
    health,
    is_failing,
    case when is_failing then
        coalesce(max(driver) filter (where driver_rank = 1) over (partition by project_id), 'unexplained')
    end as primary_driver,
    excess_share,
    driver_hours,
    basis_hours,
    driver_order
from ranked
