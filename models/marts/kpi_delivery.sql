-- kpi_delivery: one row per department and quarter (YYYY-Qn) of actual_end_date, over projects
-- finished on or before D: how many finished, how many on time, average delay in calendar days.
with finished_projects as (
    select
        department,
        year(actual_end_date)::varchar || '-Q' || quarter(actual_end_date)::varchar as quarter,
        on_time,
        delay_days,
        as_of
    from marts.kpi_project
    where is_finished
)

select
    department,
    quarter,
    count(*) as projects_finished,
    count(*) filter (where on_time) as projects_on_time,
    count(*) filter (where on_time) / count(*) as pct_on_time,
    avg(delay_days) as avg_delay_days,
    any_value(as_of) as as_of
from finished_projects
group by department, quarter
