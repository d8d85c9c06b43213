-- hist_tail: per project, the first as-of day whose history rows a build computes. A full
-- build computes every day of every project, so every project from the first day there is.
-- A nightly run builds the history models over its own tail instead (each project from the
-- first day its changed inputs touch, pipelines/transform/increment.py) and replaces only those
-- rows: the models that read this table compute nothing before a project's day here.
select
    project_id,
    date '0001-01-01' as from_day
from staging.stg_projects
