-- kpi_project: one row per project started on or before D (as_of); earned value, earned
-- schedule, hours, tasks, delivery, ROI and health of the project as of D (docs/kpis.md).
-- The single date is the last day of the history: intermediate.hist_kpi_project computes every
-- day from each project's start to D in one pass, and a day's rows there equal a build as of
-- that day (tests/test_history_range.py), so D is the same code with a one-day slice.
-- Ordered by project: the portfolio adds these rows up in this order, and the history's rows
-- are in the order a nightly run last replaced them (pipelines/transform/increment.py).
select *
from intermediate.hist_kpi_project
where as_of = getvariable('as_of')::date
order by project_id
