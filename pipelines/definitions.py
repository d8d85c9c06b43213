"""The Dagster code location (workspace.yaml, `dagster dev`): the definitions for the settings
of the environment it is loaded in."""

from pipelines.defs import build_definitions
from pipelines.settings import Settings

defs = build_definitions(Settings.from_env())
