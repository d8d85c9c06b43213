"""An independent reading of a generated folder: health and root-cause drivers per project as of a date,
computed in DuckDB straight from the CSV files by the formulas of docs/kpis.md. The tests use it to prove
that planted projects fail, and fail for their planted reason."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from .config import CAUSES as DRIVERS  # the six root-cause drivers, named as the planted causes


def connect(out_dir: Path, materialize: bool = False) -> duckdb.DuckDBPyConnection:
    """In-memory DuckDB with one view (or table, read once) per entity of the landing folder."""
    out_dir = Path(out_dir)
    con = duckdb.connect()
    kind = "TABLE" if materialize else "VIEW"
    for p in sorted(out_dir.glob("*.csv")):
        if p.stem != "timesheets":  # working_weekdays like 1111100 would otherwise read as a number
            types = ", types={'working_weekdays': 'VARCHAR'}" if p.stem == "projects" else ""
            con.execute(f"CREATE {kind} {p.stem} AS SELECT * FROM read_csv('{p}', header=true{types})")
    files = ([str(out_dir / "timesheets.csv")] if (out_dir / "timesheets.csv").exists() else []) + \
        sorted(str(p) for p in (out_dir / "timesheets").glob("*.csv"))
    cols = "{'entry_id':'VARCHAR','employee_id':'VARCHAR','task_id':'VARCHAR','work_date':'DATE','hours':'DOUBLE'}"
    con.execute(f"CREATE {kind} timesheets AS SELECT * FROM read_csv({files!r}, header=true, columns={cols})")
    return con


def evaluate(out_dir: Path, as_of: date) -> pl.DataFrame:
    """One row per project started by as_of: cpi, spi, health, each driver's share, baseline-adjusted
    primary driver for red projects."""
    con = connect(out_dir, materialize=True)
    d = f"DATE '{as_of.isoformat()}'"
    con.execute(f"""
    CREATE TEMP TABLE days AS
      SELECT CAST(x AS DATE) AS d FROM range(
        (SELECT LEAST(MIN(start_date), (SELECT MIN(work_date) FROM timesheets)) - INTERVAL 400 DAY FROM projects),
        (SELECT GREATEST(MAX(planned_end), {d}) + INTERVAL 2 DAY FROM tasks), INTERVAL 1 DAY) t(x);
    CREATE TEMP TABLE pcal AS
      SELECT c.code, d, SUM(CASE WHEN substr(c.code, isodow(d), 1) = '1' AND h.holiday_date IS NULL THEN 1 ELSE 0 END)
               OVER (PARTITION BY c.code ORDER BY d) AS cum
      FROM (SELECT DISTINCT coalesce(working_weekdays, '1111100') AS code FROM projects) c, days
      LEFT JOIN holidays h ON h.holiday_date = d;
    CREATE TEMP TABLE t AS
      SELECT t.*, p.start_date, coalesce(p.working_weekdays, '1111100') AS code,
        (t.created_on <= {d} AND t.status <> 'cancelled') AS in_scope,
        (t.completed_on <= {d}) AS done_d
      FROM tasks t JOIN projects p USING (project_id);
    CREATE TEMP TABLE tw AS
      SELECT t.*, e.hourly_cost,
        (SELECT percent_complete FROM task_progress g WHERE g.task_id = t.task_id AND g.status_date <= {d}
          ORDER BY status_date DESC LIMIT 1) AS pct,
        c1.cum - c0.cum AS wd_full, c2.cum - c0.cum AS wd_to_d
      FROM t LEFT JOIN employees e ON e.employee_id = t.assignee_id
      JOIN pcal c0 ON c0.code = t.code AND c0.d = t.planned_start - 1
      JOIN pcal c1 ON c1.code = t.code AND c1.d = t.planned_end
      JOIN pcal c2 ON c2.code = t.code AND c2.d = LEAST({d}, t.planned_end);
    CREATE TEMP TABLE hrs AS
      SELECT ts.*, t.project_id, e.hourly_cost, e.termination_date
      FROM timesheets ts JOIN tasks t USING (task_id) JOIN employees e USING (employee_id)
      WHERE ts.work_date <= {d};
    CREATE TEMP TABLE ev AS
      WITH s AS (
        SELECT project_id, bool_and(planned_cost IS NOT NULL) AS costed FROM tw WHERE in_scope GROUP BY 1),
      f AS (
        SELECT tw.project_id, CASE WHEN s.costed THEN planned_cost ELSE planned_hours END AS w,
          CASE WHEN wd_full = 0 THEN (CASE WHEN {d} >= planned_end THEN 1 ELSE 0 END)
               ELSE GREATEST(wd_to_d, 0) / wd_full END AS pf,
          CASE WHEN done_d THEN 1 WHEN pct IS NOT NULL THEN pct / 100 WHEN actual_start <= {d} THEN 0.5 ELSE 0 END AS ef
        FROM tw JOIN s USING (project_id) WHERE in_scope)
      SELECT project_id, SUM(w * pf) / NULLIF(SUM(w), 0) AS pvf, SUM(w * ef) / NULLIF(SUM(w), 0) AS evf
      FROM f GROUP BY 1;
    CREATE TEMP TABLE ac AS
      SELECT p.project_id,
        coalesce((SELECT SUM(hours * hourly_cost) FROM hrs WHERE hrs.project_id = p.project_id), 0)
        + coalesce((SELECT SUM(amount) FROM expenses x WHERE x.project_id = p.project_id AND expense_date <= {d}), 0) AS ac,
        coalesce((SELECT SUM(hours) FROM hrs WHERE hrs.project_id = p.project_id), 0) AS hours
      FROM projects p;
    CREATE TEMP TABLE emp_week AS
      WITH avail AS (
        SELECT e.employee_id, date_trunc('week', d) AS wk, SUM(e.weekly_capacity_hours / 5) AS avail
        FROM employees e JOIN days ON d BETWEEN e.hire_date AND coalesce(e.termination_date, DATE '9999-12-31')
        LEFT JOIN holidays h ON h.holiday_date = d
        WHERE isodow(d) <= 5 AND h.holiday_date IS NULL AND d <= {d}
          AND NOT EXISTS (SELECT 1 FROM leave l WHERE l.employee_id = e.employee_id AND d BETWEEN l.start_date AND l.end_date)
        GROUP BY 1, 2),
      tot AS (SELECT employee_id, date_trunc('week', work_date) AS wk, SUM(hours) AS total
              FROM timesheets WHERE work_date <= {d} GROUP BY 1, 2)
      SELECT tot.employee_id, tot.wk, tot.total > coalesce(avail.avail, 0) AS over
      FROM tot LEFT JOIN avail USING (employee_id, wk);
    CREATE TEMP TABLE gaps AS
      SELECT t.task_id, t.project_id,
        (t.required_skill IS NOT NULL AND (
          (t.required_skill_level IS NOT NULL AND coalesce(sk.level, 0) < t.required_skill_level)
          OR (t.required_skill_level IS NULL AND sk.level IS NULL))) AS skill_gap,
        (t.tool IS NOT NULL AND NOT EXISTS (SELECT 1 FROM trainings r WHERE r.employee_id = t.assignee_id
          AND r.skill = t.tool AND r.completed_on <= coalesce(t.actual_start, t.planned_start))) AS training_gap,
        CASE WHEN t.done_d THEN GREATEST(0, coalesce(a.h, 0) - t.planned_hours) ELSE 0 END AS overrun
      FROM t
      LEFT JOIN (SELECT employee_id, skill, arg_max(level, assessed_on) AS level FROM skills
                 WHERE assessed_on IS NULL OR assessed_on <= {d} GROUP BY 1, 2) sk
        ON sk.employee_id = t.assignee_id AND sk.skill = t.required_skill
      LEFT JOIN (SELECT task_id, SUM(hours) AS h FROM hrs GROUP BY 1) a USING (task_id)
      WHERE t.created_on <= {d};
    CREATE TEMP TABLE shares AS
      SELECT p.project_id,
        (SELECT SUM(hours) FROM hrs JOIN emp_week w ON w.employee_id = hrs.employee_id
           AND w.wk = date_trunc('week', hrs.work_date) WHERE w.over AND hrs.project_id = p.project_id) / NULLIF(ac.hours, 0) AS over_allocation,
        (SELECT SUM(hours) FROM hrs JOIN gaps USING (task_id) WHERE gaps.skill_gap AND hrs.project_id = p.project_id) / NULLIF(ac.hours, 0) AS skill_gap,
        (SELECT SUM(hours) FROM hrs JOIN gaps USING (task_id) WHERE gaps.training_gap AND hrs.project_id = p.project_id) / NULLIF(ac.hours, 0) AS training_gap,
        (SELECT SUM(overrun) FROM gaps WHERE gaps.project_id = p.project_id) / NULLIF(ac.hours, 0) AS estimation,
        (SELECT SUM(hours) FROM hrs WHERE hrs.project_id = p.project_id AND termination_date <= {d}) / NULLIF(ac.hours, 0) AS turnover,
        (SELECT SUM(planned_hours) FILTER (WHERE created_on > p.start_date + 14) / NULLIF(SUM(planned_hours), 0)
           FROM t WHERE t.project_id = p.project_id AND in_scope) AS scope_creep
      FROM projects p JOIN ac USING (project_id);
    """)
    df = con.sql(f"""
      SELECT p.project_id, p.status, p.planned_end_date, p.actual_end_date, p.budget,
        p.budget * ev.pvf AS pv, p.budget * ev.evf AS ev, ac.ac, ac.hours,
        (p.budget * ev.evf) / NULLIF(ac.ac, 0) AS cpi, ev.evf / NULLIF(ev.pvf, 0) AS spi,
        coalesce(p.actual_end_date <= {d}, false) AS finished, s.* EXCLUDE (project_id)
      FROM projects p LEFT JOIN ev USING (project_id) JOIN ac USING (project_id) JOIN shares s USING (project_id)
      WHERE p.start_date <= {d} ORDER BY p.project_id
    """).pl()
    return _classify(df)


def _classify(df: pl.DataFrame) -> pl.DataFrame:
    worst = pl.min_horizontal("cpi", "spi")
    health = (pl.when(pl.col("status") == "cancelled").then(pl.lit("cancelled"))
              .when(pl.col("finished")).then(
                  pl.when((pl.col("actual_end_date") > pl.col("planned_end_date")) | (pl.col("cpi") < 0.90)).then(pl.lit("red"))
                  .when(pl.col("cpi") < 0.95).then(pl.lit("amber")).otherwise(pl.lit("green")))
              .when(worst.is_null()).then(pl.lit("unknown"))
              .when(worst < 0.90).then(pl.lit("red")).when(worst < 0.95).then(pl.lit("amber"))
              .otherwise(pl.lit("green")))
    df = df.with_columns(health=health)
    green = df.filter(pl.col("health") == "green")
    base = {k: float(green[k].fill_null(0).median() or 0.0) for k in DRIVERS}
    primary = []
    for row in df.iter_rows(named=True):
        flagged = {k: (row[k] or 0) - base[k] for k in DRIVERS
                   if (row[k] or 0) >= 0.15 and (row[k] or 0) >= 2 * base[k]}
        primary.append(max(flagged, key=flagged.get) if row["health"] == "red" and flagged
                       else ("unexplained" if row["health"] == "red" else None))
    return df.with_columns(primary_driver=pl.Series(primary, dtype=pl.String),
                           **{f"{k}_baseline": pl.lit(base[k]) for k in DRIVERS})


RULES = {
    # keys
    "projects.key": "SELECT project_id FROM projects GROUP BY 1 HAVING count(*) > 1",
    "tasks.key": "SELECT task_id FROM tasks GROUP BY 1 HAVING count(*) > 1",
    "timesheets.key": "SELECT entry_id FROM timesheets GROUP BY 1 HAVING count(*) > 1",
    "employees.key": "SELECT employee_id FROM employees GROUP BY 1 HAVING count(*) > 1",
    "expenses.key": "SELECT expense_id FROM expenses GROUP BY 1 HAVING count(*) > 1",
    "task_progress.key": "SELECT task_id, status_date FROM task_progress GROUP BY ALL HAVING count(*) > 1",
    "skills.key": "SELECT employee_id, skill FROM skills GROUP BY ALL HAVING count(*) > 1",
    "trainings.key": "SELECT employee_id, course, completed_on FROM trainings GROUP BY ALL HAVING count(*) > 1",
    "leave.key": "SELECT employee_id, start_date FROM leave GROUP BY ALL HAVING count(*) > 1",
    "tool_rollouts.key": "SELECT tool, department FROM tool_rollouts GROUP BY ALL HAVING count(*) > 1",
    "holidays.key": "SELECT holiday_date FROM holidays GROUP BY 1 HAVING count(*) > 1",
    # references
    "tasks.project": "SELECT * FROM tasks WHERE project_id NOT IN (SELECT project_id FROM projects)",
    "tasks.assignee": "SELECT * FROM tasks WHERE assignee_id NOT IN (SELECT employee_id FROM employees)",
    "projects.manager": "SELECT * FROM projects WHERE project_manager_id NOT IN (SELECT employee_id FROM employees)",
    "employees.manager": "SELECT * FROM employees WHERE manager_id NOT IN (SELECT employee_id FROM employees)",
    "timesheets.employee": "SELECT * FROM timesheets WHERE employee_id NOT IN (SELECT employee_id FROM employees)",
    "timesheets.task": "SELECT * FROM timesheets WHERE task_id NOT IN (SELECT task_id FROM tasks)",
    "expenses.project": "SELECT * FROM expenses WHERE project_id NOT IN (SELECT project_id FROM projects)",
    "task_progress.task": "SELECT * FROM task_progress WHERE task_id NOT IN (SELECT task_id FROM tasks)",
    "hr.employee": """SELECT employee_id FROM (SELECT employee_id FROM skills UNION ALL SELECT employee_id FROM trainings
                      UNION ALL SELECT employee_id FROM leave) WHERE employee_id NOT IN (SELECT employee_id FROM employees)""",
    # required values
    "required": """SELECT * FROM projects WHERE project_name IS NULL OR department IS NULL OR start_date IS NULL
                   OR planned_end_date IS NULL OR budget IS NULL OR status IS NULL""",
    "tasks.required": """SELECT * FROM tasks WHERE task_name IS NULL OR created_on IS NULL OR planned_start IS NULL
                         OR planned_end IS NULL OR planned_hours IS NULL OR status IS NULL""",
    # row rules
    "projects.rules": """SELECT * FROM projects WHERE planned_end_date < start_date OR actual_end_date < start_date
        OR budget < 0 OR expected_benefit < 0 OR pmo_type NOT IN ('internal', 'external')
        OR status NOT IN ('planned', 'active', 'on_hold', 'completed', 'cancelled')
        OR NOT regexp_full_match(coalesce(working_weekdays, '1111100'), '[01]{7}')""",
    "tasks.rules": """SELECT * FROM tasks WHERE planned_end < planned_start OR planned_hours <= 0 OR planned_cost < 0
        OR completed_on < actual_start OR required_skill_level NOT BETWEEN 1 AND 5
        OR status NOT IN ('todo', 'in_progress', 'done', 'cancelled') OR (status = 'done' AND completed_on IS NULL)""",
    "timesheets.hours": "SELECT * FROM timesheets WHERE hours IS NULL OR hours <= 0 OR hours > 24 OR work_date IS NULL",
    "timesheets.day_total": "SELECT employee_id, work_date FROM timesheets GROUP BY ALL HAVING sum(hours) > 24",
    "timesheets.employed": """SELECT * FROM timesheets t JOIN employees e USING (employee_id)
        WHERE t.work_date < e.hire_date OR t.work_date > e.termination_date""",
    "employees.rules": """SELECT * FROM employees WHERE termination_date < hire_date OR hourly_cost < 0
        OR weekly_capacity_hours NOT BETWEEN 0 AND 80 OR full_name IS NULL OR department IS NULL OR hire_date IS NULL""",
    "skills.rules": "SELECT * FROM skills WHERE level NOT BETWEEN 1 AND 5 OR skill IS NULL",
    "task_progress.rules": "SELECT * FROM task_progress WHERE percent_complete NOT BETWEEN 0 AND 100 OR status_date IS NULL",
    "trainings.rules": "SELECT * FROM trainings WHERE course IS NULL OR skill IS NULL OR completed_on IS NULL",
    "leave.rules": "SELECT * FROM leave WHERE end_date < start_date OR start_date IS NULL",
    "expenses.rules": "SELECT * FROM expenses WHERE amount IS NULL OR expense_date IS NULL",
}


def violations(out_dir: Path) -> dict[str, int]:
    """Rows breaking each rule of docs/inputs.md (keys, references, value rules); all zero when valid."""
    con = connect(out_dir, materialize=True)
    return {name: con.execute(f"SELECT count(*) FROM ({sql})").fetchone()[0] for name, sql in RULES.items()}
