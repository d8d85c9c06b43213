-- kpi_utilization: one row per employee and ISO week (week_start = Monday) up to the week of D;
-- available, project and total hours, utilization and over-allocation (docs/kpis.md).
select
    employee_id,
    department,
    week_start,
    available_hours,
    project_hours,
    total_hours,
    utilization,
    over_allocated,
    available_days,
    bounds.as_of
from intermediate.int_employee_weeks
cross join intermediate.int_date_bounds as bounds
