"""A tiny valid landing folder, written from Python rows, for ingest and check tests."""

from __future__ import annotations

import csv
from pathlib import Path

PROJECTS = [
    {"project_id": "P1", "project_name": "CRM", "department": "IT", "project_manager_id": "E1",
     "sponsor": "COO", "pmo_type": "internal", "start_date": "2026-01-05",
     "planned_end_date": "2026-03-27", "actual_end_date": "", "budget": "10000",
     "expected_benefit": "15000", "realized_benefit": "", "status": "active",
     "working_weekdays": ""},
]
TASKS = [
    {"task_id": "T1", "project_id": "P1", "task_name": "Design", "assignee_id": "E1",
     "required_skill": "sql", "required_skill_level": "3", "tool": "", "created_on": "2026-01-05",
     "planned_start": "2026-01-05", "planned_end": "2026-01-16", "planned_hours": "40",
     "planned_cost": "", "actual_start": "2026-01-05", "completed_on": "2026-01-16",
     "status": "done"},
    {"task_id": "T2", "project_id": "P1", "task_name": "Build", "assignee_id": "E2",
     "required_skill": "", "required_skill_level": "", "tool": "", "created_on": "2026-01-05",
     "planned_start": "2026-01-19", "planned_end": "2026-02-13", "planned_hours": "80",
     "planned_cost": "", "actual_start": "", "completed_on": "", "status": "todo"},
]
EMPLOYEES = [
    {"employee_id": "E1", "full_name": "Ada Lovelace", "email": "ada@example.org",
     "department": "IT", "role": "analyst", "manager_id": "", "hire_date": "2020-01-01",
     "termination_date": "", "hourly_cost": "50", "weekly_capacity_hours": "40"},
    {"employee_id": "E2", "full_name": "Alan Turing", "email": "", "department": "IT",
     "role": "developer", "manager_id": "E1", "hire_date": "2021-06-01",
     "termination_date": "", "hourly_cost": "60", "weekly_capacity_hours": "40"},
]
TIMESHEETS = [
    {"entry_id": "TS1", "employee_id": "E1", "task_id": "T1", "work_date": "2026-01-05",
     "hours": "8"},
    {"entry_id": "TS2", "employee_id": "E1", "task_id": "T1", "work_date": "2026-01-06",
     "hours": "7.5"},
]


def write_csv(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_landing(root: Path) -> Path:
    """The four required entities, valid; timesheets as one daily drop."""
    write_csv(root / "projects.csv", PROJECTS)
    write_csv(root / "tasks.csv", TASKS)
    write_csv(root / "employees.csv", EMPLOYEES)
    write_csv(root / "timesheets" / "2026-01-06.csv", TIMESHEETS)
    return root
