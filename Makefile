# Setup needs only Python 3.11+ and make: uv (pinned) is installed into .tools/, and it
# installs the locked dependencies (uv.lock) into .venv/.
PYTHON ?= python3
UV_VERSION := 0.13.9
UV := .tools/bin/uv
VENV := .venv
export UV_PYTHON_DOWNLOADS := never
export DAGSTER_HOME := $(CURDIR)/.dagster_home
export GX_ANALYTICS_ENABLED := false

.PHONY: setup demo run test dev lab bench recovery clean

setup: $(VENV)/.synced

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) uv.lock pyproject.toml
	$(UV) sync --frozen --compile-bytecode --python $(PYTHON)
	touch $@

demo: setup  ## generate the demo data set, run the whole pipeline, say where results are
	$(VENV)/bin/pmo demo

run: setup  ## run as of the landing data's last timesheet/progress day (AS_OF=YYYY-MM-DD to pick)
	$(VENV)/bin/pmo run --as-of $(or $(AS_OF),data)

test: setup  ## the test suite, notebooks included
	$(VENV)/bin/python -m pytest -n 2

$(DAGSTER_HOME)/dagster.yaml: | pipelines/dagster.yaml
	mkdir -p $(DAGSTER_HOME) && cp pipelines/dagster.yaml $@

dev: setup $(DAGSTER_HOME)/dagster.yaml  ## the Dagster UI: runs, schedules, checks, lineage
	$(VENV)/bin/dagster dev -w workspace.yaml

# JupyterLab serves notebooks/ with the project's settings (jupyter/lab/settings/overrides.json:
# a .py opens as a Jupytext notebook); --allow-root only when run as root (containers).
lab: setup  ## JupyterLab on the notebooks (they read the published data/exports/kpi.duckdb)
	$(VENV)/bin/jupyter lab --ServerApp.root_dir=$(CURDIR)/notebooks \
		--LabApp.app_settings_dir=$(CURDIR)/jupyter/lab/settings \
		$(if $(filter 0,$(shell id -u)),--allow-root)

bench: setup  ## full build, nightly increment and no-op run against a bare-DuckDB floor
	$(VENV)/bin/pmo bench --scale $(or $(SCALE),large)

recovery: setup  ## planted failure causes against the primary drivers found
	$(VENV)/bin/pmo recovery --scales demo medium --seeds 1 2 3

clean:
	rm -rf data/raw data/warehouse.duckdb* data/exports data/exports.releases
