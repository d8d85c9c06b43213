"""The PMO KPI platform: ingest, checks, models, history and publishing (see README.md)."""

import sys

# jsonschema, imported by Great Expectations, Altair and Dagster, imports rfc3987_syntax when it
# is installed (JupyterLab's jupyter_events asks for it), and that module compiles some 35 Earley
# parsers at import: 2.5-3 s of every run, for the "iri" and "iri-reference" formats, which no
# schema we validate uses (upstream: python-jsonschema/jsonschema issue 1428). Marked absent,
# jsonschema leaves those two formats unchecked and imports in a fraction of a second.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
