"""The availability calculator: nines <-> downtime a year, and the causes of downtime
with what clustering can and cannot remove (paper, "High Availability is Key Concern",
"The Problems Clustering Solves" and "Decision Points for Deploying Clustered Exchange
Servers").

The callbacks call :func:`~labkit.views.widgets.planning_panels.read_availability`,
:func:`~labkit.views.widgets.planning_panels.cause_breakdown` and their HTML views.
"""
from __future__ import annotations

import ipywidgets as W

from ...planning import availability as av
from .panels import live_chart
from .planning_panels import (DEFAULT_REMOVES, DEFAULT_WEIGHTS, AvailabilityReading, breakdown_html,
                              cause_breakdown, nines_html, read_availability)


def _wrap() -> W.Layout:
    return W.Layout(flex_flow="row wrap", align_items="center", width="100%")


class AvailabilityCalculator(W.VBox):
    """Two panels.

    - **Nines**: move the ``nines`` slider or type ``downtime`` (minutes a year); the
      other follows, and the reading is placed against the paper's landmarks (MSCS:
      99.99% at best; lock-step fault tolerance: about 3 s a year).
    - **Causes**: a weight for each of the paper's four causes of downtime (relative:
      they are scaled to add up to 1) and the share of it clustering removes, the
      hours of unplanned and planned downtime a year; out come the hours clustering
      removes, cause by cause, and the availability before and after.

    Headless use: set ``.nines.value`` or ``.downtime.value``, ``.weights[cause].value``,
    ``.removes[cause].value``, ``.unplanned.value``, ``.planned.value``; read ``.reading``,
    ``.breakdown`` and the HTML in ``.reading_view.value`` / ``.breakdown_view.value``.
    ``.defaults.click()`` puts the paper's ranking back.
    """

    def __init__(self, nines: float = 4.0, *, unplanned_hours: float = 10.0, planned_hours: float = 20.0):
        style = {"description_width": "185px"}   # "operational/administrative" in full (measured in Chromium)
        self._syncing = False
        self.nines = W.FloatSlider(value=nines, min=1.0, max=7.0, step=0.1, readout_format=".1f",
                                   description="nines", style=style, layout=W.Layout(width="450px", max_width="100%"))
        self.downtime = W.BoundedFloatText(value=0.0, min=0.0, max=av.SECONDS_PER_YEAR / 60, step=1.0,
                                           description="downtime (min/year)", style=style,
                                           layout=W.Layout(width="330px", max_width="100%"))
        self.reading_view = W.HTML()
        self.weights: dict[av.Cause, W.FloatSlider] = {}
        self.removes: dict[av.Cause, W.FloatSlider] = {}
        rows = []
        for cause in av.PAPER_RANKING:
            self.weights[cause] = W.FloatSlider(value=DEFAULT_WEIGHTS[cause], min=0.0, max=1.0, step=0.05,
                                                description=str(cause), style=style, layout=W.Layout(width="450px", max_width="100%"))
            self.removes[cause] = W.FloatSlider(value=DEFAULT_REMOVES[cause], min=0.0, max=1.0, step=0.05,
                                                description="clustering removes", style=style,
                                                layout=W.Layout(width="450px", max_width="100%"))
            rows.append(W.HBox([self.weights[cause], self.removes[cause]], layout=_wrap()))
        self.unplanned = W.BoundedFloatText(value=unplanned_hours, min=0.0, max=av.HOURS_PER_YEAR, step=1.0,
                                            description="unplanned h/year", style=style, layout=W.Layout(width="330px", max_width="100%"))
        self.planned = W.BoundedFloatText(value=planned_hours, min=0.0, max=av.HOURS_PER_YEAR, step=1.0,
                                          description="planned h/year", style=style, layout=W.Layout(width="330px", max_width="100%"))
        self.planned_removes = W.FloatSlider(value=av.PLANNED_REMOVABLE, min=0.0, max=1.0, step=0.05,
                                             description="planned: removes", style=style,
                                             layout=W.Layout(width="450px", max_width="100%"))
        self.defaults = W.Button(description="paper's ranking", tooltip="weights 0.4, 0.3, 0.2, 0.1 [D]",
                                 layout=W.Layout(width="auto"))
        self.breakdown_view = W.HTML(layout=W.Layout(flex="1 1 460px", min_width="0", overflow_x="auto"))
        self.chart, self.live_chart = live_chart(self.draw)
        self.reading: AvailabilityReading | None = None
        self.breakdown: av.DowntimeBreakdown | None = None
        self.nines.observe(lambda _c: self.set_nines(self.nines.value), names="value")
        self.downtime.observe(lambda _c: self.set_downtime(self.downtime.value), names="value")
        for w in [*self.weights.values(), *self.removes.values(), self.unplanned, self.planned, self.planned_removes]:
            w.observe(lambda _c: self.update_causes(), names="value")
        self.defaults.on_click(lambda _b: self.reset_causes())
        super().__init__([
            W.HTML("<b>Nines and downtime</b>"), W.HBox([self.nines, self.downtime], layout=_wrap()), self.reading_view,
            W.HTML("<b>Causes of downtime</b> (weights are relative; the paper ranks the causes, "
                   "the shares are assumptions to replace with your own figures)"),
            *rows, W.HBox([self.unplanned, self.planned], layout=_wrap()),
            W.HBox([self.planned_removes, self.defaults, self.live_chart], layout=_wrap()),
            W.HBox([self.breakdown_view, self.chart], layout=_wrap())])
        self.set_nines(nines)
        self.update_causes()

    # ------------------------------------------------------------ nines panel
    def set_nines(self, nines: float) -> AvailabilityReading:
        """Show ``nines``; the downtime box follows."""
        return self._show(read_availability(nines=nines), source="nines")

    def set_downtime(self, minutes: float) -> AvailabilityReading:
        """Show ``minutes`` of downtime a year; the nines slider follows (clamped to 1-7)."""
        return self._show(read_availability(downtime_minutes=minutes), source="downtime")

    def _show(self, reading: AvailabilityReading, source: str) -> AvailabilityReading:
        if self._syncing:
            return self.reading
        self._syncing = True
        try:
            self.reading = reading
            if source == "nines":
                self.downtime.value = round(reading.downtime_minutes, 2)
            else:
                self.nines.value = min(max(reading.nines, self.nines.min), self.nines.max)
            self.reading_view.value = nines_html(reading)
        finally:
            self._syncing = False
        return reading

    # ----------------------------------------------------------- causes panel
    def update_causes(self) -> av.DowntimeBreakdown | None:
        """Recompute the breakdown from the sliders and show it (a message when every
        weight is 0)."""
        weights = {c: w.value for c, w in self.weights.items()}
        if not any(weights.values()):
            self.breakdown = None
            self.breakdown_view.value = "<div style='color:#b00000'>give at least one cause a weight above 0</div>"
            self.chart.value = ""
            return None
        self.breakdown = cause_breakdown(weights, {c: w.value for c, w in self.removes.items()},
                                         unplanned_hours=float(self.unplanned.value),
                                         planned_hours=float(self.planned.value),
                                         planned_removable=float(self.planned_removes.value))
        self.breakdown_view.value = breakdown_html(self.breakdown)
        self.draw()
        return self.breakdown

    def draw(self) -> None:
        """Redraw the downtime chart (matplotlib, imported on the first draw) as SVG."""
        if not self.live_chart.value or self.breakdown is None:
            self.chart.value = ""
            return
        from ..charts import downtime_chart
        self.chart.value = downtime_chart(self.breakdown, width=6.2).html()

    def reset_causes(self) -> None:
        """Put the paper's ranking (rank-sum weights [D]) and the default removable shares back."""
        for cause in av.PAPER_RANKING:
            self.weights[cause].value = DEFAULT_WEIGHTS[cause]
            self.removes[cause].value = DEFAULT_REMOVES[cause]
        self.planned_removes.value = av.PLANNED_REMOVABLE
        self.update_causes()
