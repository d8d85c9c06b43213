"""raw -> staging -> intermediate -> marts: the SQL models of models/, built in dependency order."""

from pathlib import Path


def models_dir() -> Path:
    """The SQL models: shipped inside the installed package (wheel), else the checkout's
    top-level `models/`. (Here, not in models.py, so that readers of schema.yml do not import
    sqlglot.)"""
    packaged = Path(__file__).resolve().parents[1] / "models"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[2] / "models"
