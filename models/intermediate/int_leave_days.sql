-- int_leave_days: one row per employee and day off (leave periods may overlap), over the days
-- the people KPIs look at: from the first availability day (int_date_bounds) to the last day
-- of the capacity horizon after D (int_horizon_days). int_employee_days reads the days up to
-- D, int_capacity_employee_days those after it.
with span as (
    select
        bounds.availability_start as first_day,
        greatest(bounds.as_of, (select max(day) from intermediate.int_horizon_days)) as last_day
    from intermediate.int_date_bounds as bounds
)

select distinct employee_id, day
from (
    select
        leave.employee_id,
        unnest(generate_series(
            greatest(leave.start_date, span.first_day),
            least(leave.end_date, span.last_day),
            interval 1 day
        ))::date as day
    from staging.stg_leave as leave
    cross join span
    where leave.end_date >= span.first_day
      and leave.start_date <= span.last_day
)
