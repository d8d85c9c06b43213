import os

import duckdb
import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


@pytest.fixture
def con():
    with duckdb.connect() as connection:
        yield connection
