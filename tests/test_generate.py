"""Synthetic data generator: contract, determinism, rules of docs/inputs.md, planted causes, daily drops."""
from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest

from devtools.generate import CAUSES, DEFAULT_END, append_day, generate
from devtools.generate.verify import RULES, connect, evaluate, violations

SEED = 11

# The columns of every entity, in the order of the input contract (docs/inputs.md).
CONTRACT = {
    "projects": ["project_id", "project_name", "department", "project_manager_id", "sponsor", "pmo_type",
                 "start_date", "planned_end_date", "actual_end_date", "budget", "expected_benefit",
                 "realized_benefit", "status", "working_weekdays"],
    "tasks": ["task_id", "project_id", "task_name", "assignee_id", "required_skill", "required_skill_level", "tool",
              "created_on", "planned_start", "planned_end", "planned_hours", "planned_cost", "actual_start",
              "completed_on", "status"],
    "task_progress": ["task_id", "status_date", "percent_complete"],
    "timesheets": ["entry_id", "employee_id", "task_id", "work_date", "hours"],
    "expenses": ["expense_id", "project_id", "expense_date", "category", "amount"],
    "employees": ["employee_id", "full_name", "email", "department", "role", "manager_id", "hire_date",
                  "termination_date", "hourly_cost", "weekly_capacity_hours"],
    "skills": ["employee_id", "skill", "level", "assessed_on"],
    "trainings": ["employee_id", "course", "skill", "completed_on"],
    "leave": ["employee_id", "start_date", "end_date", "leave_type"],
    "tool_rollouts": ["tool", "department", "rollout_date"],
    "holidays": ["holiday_date", "name"],
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo")
    out, truth = root / "raw", root / "truth.csv"
    summary = generate("demo", SEED, out, truth_file=truth)
    return out, truth, summary


@pytest.fixture(scope="module")
def db(demo):
    return connect(demo[0], materialize=True)


@pytest.fixture(scope="module")
def health(demo):
    out, truth, _ = demo
    return evaluate(out, DEFAULT_END).join(pl.read_csv(truth), on="project_id", how="left")


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def header(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()[0].split(",")


def sql(folder: Path, query: str):
    return connect(folder).execute(query).fetchall()


# ---- determinism -------------------------------------------------------------------------------

def test_same_seed_gives_identical_bytes_and_another_seed_differs(demo, tmp_path):
    out, _, _ = demo
    generate("demo", SEED, tmp_path / "again")
    generate("demo", SEED + 1, tmp_path / "other")
    first, again, other = files(out), files(tmp_path / "again"), files(tmp_path / "other")
    assert first.keys() == again.keys()
    assert [k for k in first if first[k] != again[k]] == []
    assert first["tasks.csv"] != other["tasks.csv"]
    assert first["employees.csv"] != other["employees.csv"]


# ---- the contract ------------------------------------------------------------------------------

def test_every_entity_has_exactly_the_contract_columns(demo):
    out, _, _ = demo
    for entity, columns in CONTRACT.items():
        if entity == "timesheets":
            monthly = sorted((out / "timesheets").glob("*.csv"))
            assert monthly, "no monthly timesheet files"
            assert all(p.name[:7].count("-") == 1 and len(p.stem) == 7 for p in monthly)
            assert {tuple(header(p)) for p in monthly} == {tuple(columns)}
        else:
            assert header(out / f"{entity}.csv") == columns, entity


def test_landing_folder_holds_only_entity_files(demo):
    out, _, _ = demo
    top = {p.name for p in out.iterdir()}
    assert top == {f"{e}.csv" for e in CONTRACT if e != "timesheets"} | {"timesheets"}
    assert all(p.suffix == ".csv" for p in (out / "timesheets").iterdir())


def test_values_use_the_contract_formats(demo):
    out, _, _ = demo
    tasks = (out / "tasks.csv").read_text(encoding="utf-8").splitlines()[1]
    projects = pl.read_csv(out / "projects.csv", infer_schema=False)
    assert projects["project_id"][0] == "P0001"
    assert projects["start_date"].str.contains(r"^\d{4}-\d{2}-\d{2}$").all()
    assert tasks.startswith("T000001,P0001,")
    entry = (sorted((out / "timesheets").glob("*.csv"))[0]).read_text().splitlines()[1]
    assert entry.startswith("TS00000001,E")
    wwd = projects["working_weekdays"].drop_nulls()
    assert wwd.str.contains(r"^[01]{7}$").all() and (wwd == "1111110").any()


def test_demo_sizes(demo, db):
    out, _, summary = demo
    assert summary["employees"] == 150 and summary["projects"] == 40
    assert 50_000 <= summary["timesheets"] <= 400_000
    assert summary["tasks"] >= 2_000
    first, last = db.execute("SELECT min(work_date), max(work_date) FROM timesheets").fetchone()
    assert last == DEFAULT_END
    assert DEFAULT_END - timedelta(days=2 * 365 + 7) <= first <= DEFAULT_END - timedelta(days=2 * 365 - 30)
    assert len(list((out / "timesheets").glob("*.csv"))) in (25, 26)  # one per month of two years


def test_timesheet_layouts_hold_the_same_rows(demo, tmp_path):
    out, _, summary = demo
    generate("demo", SEED, tmp_path / "single", timesheet_files="single")
    generate("demo", SEED, tmp_path / "daily", timesheet_files="daily")
    assert not (tmp_path / "single" / "timesheets").exists()
    daily = sorted((tmp_path / "daily" / "timesheets").glob("*.csv"))
    assert all(len(p.stem) == 10 and date.fromisoformat(p.stem) for p in daily)
    rows = {}
    for name, folder in [("monthly", out), ("single", tmp_path / "single"), ("daily", tmp_path / "daily")]:
        rows[name] = sql(folder, "SELECT count(*), sum(hours), count(DISTINCT entry_id) FROM timesheets")[0]
    assert rows["monthly"] == rows["single"] == rows["daily"]
    assert rows["monthly"][0] == summary["timesheets"]


def test_bad_arguments_are_refused(tmp_path):
    with pytest.raises(ValueError, match="outside"):
        generate("demo", 1, tmp_path / "raw", truth_file=tmp_path / "raw" / "truth.csv")
    with pytest.raises(ValueError, match="scale"):
        generate("huge", 1, tmp_path / "raw")
    with pytest.raises(ValueError, match="timesheet_files"):
        generate("demo", 1, tmp_path / "raw", timesheet_files="weekly")
    (tmp_path / "mixed").mkdir()
    (tmp_path / "mixed" / "notes.txt").write_text("keep me")
    with pytest.raises(ValueError, match="not entity files"):
        generate("demo", 1, tmp_path / "mixed")
    assert (tmp_path / "mixed" / "notes.txt").read_text() == "keep me"


# ---- rules of docs/inputs.md ------------------------------------------------------------------------

@pytest.mark.parametrize("rule", sorted(RULES))
def test_rule_holds(db, rule):
    bad = db.execute(f"SELECT * FROM ({RULES[rule]}) LIMIT 5").fetchall()
    assert bad == [], f"{rule}: {bad}"


def test_rule_checks_catch_broken_files(demo, tmp_path):
    out, _, _ = demo
    broken = tmp_path / "broken"
    shutil.copytree(out, broken)
    month = sorted((broken / "timesheets").glob("*.csv"))[-1]
    lines = month.read_text().splitlines()
    _, emp, task, day, _ = lines[1].split(",")
    lines += [lines[1],  # the same entry twice
              f"TS99999998,{emp},{task},{day},20",  # that person's day now passes 24 hours
              f"TS99999999,E9999,{task},{day},2"]  # nobody of that id
    month.write_text("\n".join(lines) + "\n")
    found = violations(broken)
    assert found["timesheets.key"] == 1
    assert found["timesheets.day_total"] == 1
    assert found["timesheets.employee"] == 1
    assert sum(found.values()) == 3


def test_data_follows_the_calendar_and_the_tasks(db):
    d = f"DATE '{DEFAULT_END}'"
    checks = {
        "after end_date": f"SELECT count(*) FROM timesheets WHERE work_date > {d}",
        "on leave": """SELECT count(*) FROM timesheets t JOIN leave l ON l.employee_id = t.employee_id
                       AND t.work_date BETWEEN l.start_date AND l.end_date""",
        "on a holiday": "SELECT count(*) FROM timesheets t JOIN holidays h ON h.holiday_date = t.work_date",
        "outside the task's dates": """SELECT count(*) FROM timesheets s JOIN tasks t USING (task_id)
            WHERE s.work_date < t.actual_start OR s.work_date > t.completed_on OR t.actual_start IS NULL""",
        "weekend outside six-day projects": """SELECT count(*) FROM timesheets s LEFT JOIN tasks t USING (task_id)
            LEFT JOIN projects p USING (project_id)
            WHERE isodow(s.work_date) >= 6 AND coalesce(p.working_weekdays, '1111100') <> '1111110'""",
        "completed without end or ended later": f"""SELECT count(*) FROM projects WHERE (status = 'completed')
            <> (actual_end_date IS NOT NULL) OR actual_end_date > {d}""",
        "planned but started": f"SELECT count(*) FROM projects WHERE status = 'planned' AND start_date <= {d}",
        "task created after end_date": f"SELECT count(*) FROM tasks WHERE created_on > {d}",
        "started todo": "SELECT count(*) FROM tasks WHERE status = 'todo' AND actual_start IS NOT NULL",
        "progress of a finished task": """SELECT count(*) FROM task_progress g JOIN tasks t USING (task_id)
            WHERE g.status_date >= t.completed_on OR g.status_date > DATE '2026-11-20'""",
        "course after leaving": """SELECT count(*) FROM trainings r JOIN employees e USING (employee_id)
            WHERE r.completed_on > coalesce(e.termination_date, DATE '2026-11-20') OR r.completed_on < e.hire_date""",
    }
    found = {name: db.execute(q).fetchone()[0] for name, q in checks.items()}
    assert found == {name: 0 for name in checks}


def test_portfolio_is_varied(db):
    def sql_(query):
        return db.execute(query).fetchall()

    statuses = dict(sql_("SELECT status, count(*) FROM projects GROUP BY 1"))
    assert statuses.get("completed", 0) >= 8 and statuses.get("active", 0) >= 8
    assert sum(statuses.get(s, 0) for s in ("planned", "on_hold", "cancelled")) >= 1
    assert set(dict(sql_("SELECT status, 1 FROM tasks GROUP BY 1"))) == {"todo", "in_progress", "done", "cancelled"}
    refunds, leavers, joiners = sql_(f"""SELECT (SELECT count(*) FROM expenses WHERE amount < 0),
        (SELECT count(*) FROM employees WHERE termination_date IS NOT NULL),
        (SELECT count(*) FROM employees WHERE hire_date > DATE '{DEFAULT_END - timedelta(days=730)}')""")[0]
    assert refunds >= 1 and leavers >= 5 and joiners >= 5
    late_tasks, tools, depts = sql_("""SELECT
        (SELECT count(*) FROM tasks t JOIN projects p USING (project_id) WHERE t.created_on > p.start_date + 14),
        (SELECT count(DISTINCT tool) FROM tasks), (SELECT count(DISTINCT department) FROM projects)""")[0]
    assert late_tasks >= 10 and tools >= 3 and depts >= 4
    # people mostly below capacity: median weekly hours well under 40
    median_week = sql_("""SELECT median(h) FROM (SELECT employee_id, date_trunc('week', work_date), sum(hours) h
                               FROM timesheets GROUP BY ALL)""")[0][0]
    assert 20 <= median_week <= 38


# ---- planted causes ----------------------------------------------------------------------------

def test_truth_names_every_project_and_a_quarter_fail(demo, health):
    out, truth, _ = demo
    t = pl.read_csv(truth)
    projects = pl.read_csv(out / "projects.csv")
    assert t.columns == ["project_id", "planted_cause"]
    assert sorted(t["project_id"]) == sorted(projects["project_id"])
    planted = t.filter(pl.col("planted_cause").is_not_null())
    assert 0.2 * t.height <= planted.height <= 0.3 * t.height
    assert set(planted["planted_cause"]) == set(CAUSES)


def test_planted_projects_fail_for_their_planted_reason(health):
    planted = health.filter(pl.col("planted_cause").is_not_null())
    wrong = planted.filter((pl.col("health") != "red") | (pl.col("primary_driver") != pl.col("planted_cause")))
    assert wrong.select("project_id", "planted_cause", "health", "primary_driver").rows() == []


def test_planted_driver_is_strong_against_a_low_baseline(health):
    for cause in CAUSES:
        baseline = health[f"{cause}_baseline"][0]
        assert baseline < 0.05, (cause, baseline)
        shares = health.filter(pl.col("planted_cause") == cause)[cause]
        assert (shares >= 0.15).all() and (shares >= 2 * baseline).all(), (cause, shares.to_list())


def test_healthy_projects_are_not_red(health):
    healthy = health.filter(pl.col("planted_cause").is_null() & (pl.col("status") != "cancelled"))
    assert healthy.height >= 20
    assert healthy.filter(pl.col("health") == "red").height <= max(1, 0.05 * healthy.height)
    assert healthy.filter(pl.col("health") == "green").height >= 0.8 * healthy.height


def test_healthy_work_is_mostly_on_time_and_the_trained_are_faster(demo):
    # Healthy projects' tasks: before any rollout of their department, or after it by an assignee
    # trained (or not) in the department's latest tool by the task's start (kpi_tool_adoption).
    out, truth, _ = demo
    con = connect(out)
    con.execute(f"CREATE VIEW truth AS SELECT * FROM read_csv('{truth}', all_varchar=true)")
    found = dict((kind, (n, rate)) for kind, n, rate in con.execute("""
        WITH healthy AS (
            SELECT t.task_id, t.assignee_id, p.department, t.completed_on <= t.planned_end AS on_time,
                   coalesce(t.actual_start, t.planned_start) AS ref
            FROM tasks t JOIN projects p USING (project_id) JOIN truth USING (project_id)
            WHERE truth.planted_cause IS NULL AND t.status = 'done' AND t.assignee_id IS NOT NULL),
        tool AS (
            SELECT healthy.*, arg_max(r.tool, r.rollout_date) AS tool
            FROM healthy LEFT JOIN tool_rollouts r ON r.department = healthy.department AND r.rollout_date <= ref
            GROUP BY ALL)
        SELECT CASE WHEN tool IS NULL THEN 'before'
                    WHEN EXISTS (SELECT 1 FROM trainings g WHERE g.employee_id = assignee_id
                                 AND g.skill = tool AND g.completed_on <= ref) THEN 'trained'
                    ELSE 'untrained' END AS kind, count(*), avg(on_time::INT)
        FROM tool GROUP BY 1""").fetchall())
    assert set(found) == {"before", "trained", "untrained"}
    assert all(n >= 100 for n, _ in found.values()), found
    assert found["before"][1] >= 0.85 and found["trained"][1] >= 0.85, found
    assert found["trained"][1] >= found["untrained"][1] + 0.15, found


def test_red_projects_fail_through_cost_or_schedule(health):
    red = health.filter(pl.col("health") == "red")
    late = pl.col("finished") & (pl.col("actual_end_date") > pl.col("planned_end_date"))
    assert red.filter(~(late | (pl.col("cpi") < 0.9) | (pl.col("spi") < 0.9))).height == 0


# ---- daily drops -------------------------------------------------------------------------------

def test_append_day_writes_the_next_days_drop(demo, tmp_path):
    out, _, _ = demo
    folder = tmp_path / "raw"
    shutil.copytree(out, folder)
    before = sql(folder, "SELECT count(*), max(work_date) FROM timesheets")[0]
    saturday = append_day(folder, SEED)
    assert saturday == folder / "timesheets" / f"{DEFAULT_END + timedelta(days=1)}.csv"
    sunday = append_day(folder, SEED)
    monday = append_day(folder, SEED)
    assert monday.name == f"{DEFAULT_END + timedelta(days=3)}.csv"
    drop = pl.read_csv(monday, schema_overrides={"work_date": pl.Date})
    assert drop.columns == CONTRACT["timesheets"]
    assert drop.height >= 50 and (drop["work_date"] == DEFAULT_END + timedelta(days=3)).all()
    count, entries, last = sql(folder, "SELECT count(*), count(DISTINCT entry_id), max(work_date) FROM timesheets")[0]
    assert count == entries == before[0] + drop.height + len(pl.read_csv(saturday)) + len(pl.read_csv(sunday))
    assert last == DEFAULT_END + timedelta(days=3)
    assert {k: v for k, v in violations(folder).items() if v} == {}

    again = tmp_path / "again"
    shutil.copytree(out, again)
    for _ in range(3):
        path = append_day(again, SEED)
    assert path.read_bytes() == monday.read_bytes()
    with pytest.raises(ValueError, match="not after"):
        append_day(again, SEED, DEFAULT_END)
