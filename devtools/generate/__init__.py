"""Synthetic PMO data in the input contract (specs/inputs.md), with planted failure causes.

generate() writes a whole landing folder for a scale and seed; append_day() adds the next daily
timesheet drop to it."""
from .append import append_day
from .build import generate
from .config import CAUSES, DEFAULT_END, SCALES

__all__ = ["generate", "append_day", "DEFAULT_END", "SCALES", "CAUSES"]
