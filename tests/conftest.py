import os

import duckdb
import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


@pytest.fixture
def con():
    with duckdb.connect() as connection:
        yield connection


@pytest.fixture(autouse=True)
def restore_environment(monkeypatch):
    """`pmo` writes its flags into os.environ; keep every test's environment its own."""
    monkeypatch.setattr(os, "environ", os.environ.copy())


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A working directory with a landing folder, its own warehouse and Dagster instance."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    return tmp_path
