"""Every chart builder and the offline renderer, by their public names: the charts live with
their topic (portfolio, failing, people, tools), the renderer and helpers in chartkit."""

from pipelines.analysis.chartkit import (  # noqa: F401 - the public names of this module
    DRIVER_ORDER, HEALTH_COLORS, RENDERER, VEGA5_MIMETYPE, VERDICT_COLORS, WIDTH, Table,
    enable, health_scale, offline_renderer, table, to_svg, to_vega, verdict_scale, vl_version)
from pipelines.analysis.failing import (  # noqa: F401
    driver_heatmap, driver_hours, evidence_bars, evidence_people, evidence_tasks,
    money_at_risk, project_drivers, project_history, project_hours_history, project_trend,
    red_projects)
from pipelines.analysis.people import (  # noqa: F401
    UTILIZATION_BANDS, most_over_allocated, over_allocation_trend, skill_gap_people, skill_gaps,
    training_benchmarks, training_by_department, utilization_heatmap)
from pipelines.analysis.portfolio import (  # noqa: F401
    cpi_spi, health_by_department, on_time_heatmap, portfolio_trend)
from pipelines.analysis.tools import before_after, sample_sizes, trained_vs_untrained  # noqa: F401
