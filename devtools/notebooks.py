"""Find, parameterize and execute the analyst notebooks (tests and scripts use this).

The notebooks live in notebooks/ as jupytext percent scripts (`*.py`, no outputs). Executing
one never writes into notebooks/: the notebook is read, its parameters are injected in a new
cell after the cell tagged `parameters` (the papermill convention), and the executed copy is
written where the caller says, with the kernel working in that copy's directory.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import jupytext
import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
CHART_MIMETYPES = ("application/vnd.vega.v5+json", "application/vnd.vegalite.v5+json",
                   "image/png", "image/svg+xml")


def notebook_sources(directory: Path = NOTEBOOK_DIR) -> list[Path]:
    """The notebooks: every percent-format script of notebooks/."""
    return sorted(p for p in directory.glob("*.py") if not p.name.startswith("_"))


def read_notebook(path: Path) -> nbformat.NotebookNode:
    return jupytext.read(path)


def inject_parameters(nb: nbformat.NotebookNode, **parameters: Any) -> nbformat.NotebookNode:
    """Add a cell tagged `injected-parameters` after the `parameters` cell."""
    index = next((i for i, c in enumerate(nb.cells)
                  if "parameters" in c.get("metadata", {}).get("tags", [])), None)
    if index is None:
        raise ValueError("the notebook has no cell tagged `parameters`")
    source = "\n".join(f"{name} = {value!r}" for name, value in parameters.items())
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": ["injected-parameters"]})
    nb.cells.insert(index + 1, cell)
    return nb


def execute_notebook(source: Path, target: Path, export_dir: Path | None = None,
                     timeout: int = 600, **parameters: Any) -> nbformat.NotebookNode:
    """Execute a copy of `source` with the given parameters (EXPORT_DIR from export_dir) and
    write it to `target` (.ipynb), even when a cell fails; raises nbclient's
    CellExecutionError then."""
    nb = read_notebook(source)
    if export_dir is not None:
        parameters = {"EXPORT_DIR": str(Path(export_dir).resolve()), **parameters}
    if parameters:
        inject_parameters(nb, **parameters)
    target.parent.mkdir(parents=True, exist_ok=True)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                 "language": "python"}
    nb.metadata.pop("jupytext", None)  # the executed copy is a plain notebook, not paired
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(target.parent)}})
    env = {**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
    if export_dir is not None:
        env["PMO_EXPORT_DIR"] = str(Path(export_dir).resolve())
    try:
        client.execute(env=env)
    finally:
        nbformat.write(nb, target)
    return nb


def outputs(nb: nbformat.NotebookNode) -> list[dict]:
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]


def chart_outputs(nb: nbformat.NotebookNode) -> list[dict]:
    """Outputs that hold a chart (a Vega spec or an image)."""
    return [o for o in outputs(nb) if any(m in o.get("data", {}) for m in CHART_MIMETYPES)]


def output_text(nb: nbformat.NotebookNode) -> str:
    """Every text, Markdown and HTML output, joined (what a reader sees besides charts)."""
    parts = []
    for o in outputs(nb):
        if o.get("output_type") == "stream":
            parts.append(o.get("text", ""))
        for mime in ("text/markdown", "text/html", "text/plain"):
            value = o.get("data", {}).get(mime)
            if value:
                parts.append(value if isinstance(value, str) else "".join(value))
    return "\n".join(parts)


def errors(nb: nbformat.NotebookNode) -> list[str]:
    return [f"{o.get('ename')}: {o.get('evalue')}" for o in outputs(nb)
            if o.get("output_type") == "error"]
