"""Forest plots of a meta-analysis (matplotlib, installed with the ``plot`` extra).

One row per study (label, the numbers of each arm, a square sized by weight with its 95% CI,
the estimate and weight in figures), the pooled diamond, the 95% prediction interval of a
random-effects model (a bar under the diamond), and the method with its heterogeneity statistics
(tau\u00b2 with its Q-profile interval, I\u00b2, Q).
Ratio measures are drawn on a log axis. Figures are built on matplotlib's object API with the Agg
canvas, so no display and no global pyplot state are involved.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

from extractor.errors import ExportError
from extractor.meta.analysis import MetaAnalysis, StudyEffect, test_line, title
from extractor.meta.analysis import p_text as _p

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["forest_figure", "forest_plot"]

_FORMATS = {".png": "png", ".svg": "svg"}
_ROW_INCHES = 0.32
_INK = "#1f1f1f"
_SQUARE = "#2f5d8a"


def forest_plot(analysis: MetaAnalysis, path: str | Path) -> Path:
    """Draw the forest plot of ``analysis`` to ``path`` (``.png`` or ``.svg``) and return the path.

    Raises
    ------
    ExportError
        If the suffix is neither ``.png`` nor ``.svg``, or matplotlib is not installed.
    """
    path = Path(path)
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ExportError(f"a forest plot is written as .png or .svg, not {path.name!r}")
    figure = forest_figure(analysis)
    from matplotlib import rc_context

    # SVG text stays text (searchable, selectable) instead of glyph outlines.
    with rc_context({"svg.fonttype": "none"}):
        figure.savefig(path, format=fmt, dpi=150, bbox_inches="tight")
    return path


def forest_figure(analysis: MetaAnalysis) -> Figure:
    """Build the forest plot of ``analysis`` as a matplotlib figure."""
    figure_class, canvas_class = _matplotlib()
    k = len(analysis.studies)
    height = 1.6 + _ROW_INCHES * (k + 5)
    figure: Figure = figure_class(figsize=(12, height))
    canvas_class(figure)
    figure.subplots_adjust(left=0.03, right=0.98, top=1 - 0.45 / height, bottom=0.75 / height)
    grid = figure.add_gridspec(1, 3, width_ratios=(5.0, 4.2, 2.5), wspace=0.03)
    left, middle, right = (figure.add_subplot(grid[0, i]) for i in range(3))
    for ax in (left, middle, right):
        ax.set_ylim(-2.6, k + 1.6)
    _draw_intervals(middle, analysis)
    _draw_left(left, analysis)
    _draw_right(right, analysis)
    figure.suptitle(_capital(title(analysis)), x=0.03, ha="left", fontsize=11, fontweight="bold")
    return figure


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _matplotlib() -> tuple[type, type]:
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as error:
        raise ExportError(
            "forest plots need matplotlib: pip install 'trial-extractor[plot]'"
        ) from error
    return Figure, FigureCanvasAgg


def _rows(analysis: MetaAnalysis) -> list[tuple[float, StudyEffect, float]]:
    k = len(analysis.studies)
    weights = analysis.pooled.weights
    return [(k - i, s, w) for i, (s, w) in enumerate(zip(analysis.studies, weights, strict=True))]


def _draw_intervals(ax: Axes, analysis: MetaAnalysis) -> None:
    null = 1.0 if analysis.measure.is_ratio else 0.0
    k = len(analysis.studies)
    largest = max(analysis.pooled.weights)
    for y, study, weight in _rows(analysis):
        low, high = (analysis.display(x) for x in study.effect.ci)
        ax.plot([low, high], [y, y], color=_INK, linewidth=1.0, solid_capstyle="butt")
        size = 4 + 10 * math.sqrt(weight / largest)
        ax.plot(
            [analysis.display(study.effect.yi)],
            [y],
            marker="s",
            markersize=size,
            color=_SQUARE,
            markeredgecolor=_INK,
            markeredgewidth=0.5,
            linestyle="none",
        )
    _draw_diamond(ax, analysis)
    ax.plot([null, null], [-0.6, k + 0.6], color=_INK, linewidth=0.8)
    ax.axhline(0.6, color="#9a9a9a", linewidth=0.6)
    _style_axis(ax, analysis, null)


def _draw_diamond(ax: Axes, analysis: MetaAnalysis) -> None:
    p = analysis.pooled
    low, mid, high = (analysis.display(x) for x in (p.ci_low, p.estimate, p.ci_high))
    ax.fill([low, mid, high, mid], [0, 0.32, 0, -0.32], color=_INK, zorder=3)
    if p.pi_low is not None and p.pi_high is not None:
        pi_low, pi_high = analysis.display(p.pi_low), analysis.display(p.pi_high)
        ax.plot([pi_low, pi_high], [_PI_Y, _PI_Y], color=_INK, linewidth=1.2)
        for x in (pi_low, pi_high):
            ax.plot([x, x], [_PI_Y - 0.15, _PI_Y + 0.15], color=_INK, linewidth=1.2)
    ax.plot(
        [mid, mid],
        [-0.6, len(analysis.studies) + 0.6],
        color=_INK,
        linewidth=0.6,
        linestyle=(0, (3, 3)),
    )


def _style_axis(ax: Axes, analysis: MetaAnalysis, null: float) -> None:
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.set_yticks([])
    ax.spines["bottom"].set_bounds(*_limits(analysis, null))
    ax.spines["bottom"].set_position(("data", -1.0))
    name = _capital(analysis.measure.label)
    if analysis.measure.is_ratio:
        ax.set_xscale("log")
        name += ", log scale"
    low, high = _limits(analysis, null)
    ax.set_xlim(*_padded(low, high, analysis.measure.is_ratio))
    _ticks(ax, low, high, analysis.measure.is_ratio)
    ax.set_xlabel(name, fontsize=9)
    ax.tick_params(axis="x", labelsize=8)


def _limits(analysis: MetaAnalysis, null: float) -> tuple[float, float]:
    p = analysis.pooled
    lows = [s.effect.ci[0] for s in analysis.studies] + [p.ci_low, p.pi_low or p.ci_low]
    highs = [s.effect.ci[1] for s in analysis.studies] + [p.ci_high, p.pi_high or p.ci_high]
    low, high = analysis.display(min(lows)), analysis.display(max(highs))
    return min(low, null), max(high, null)


def _padded(low: float, high: float, log: bool) -> tuple[float, float]:
    if log:
        span = math.log(high / low) or 1.0
        return low * math.exp(-0.06 * span), high * math.exp(0.06 * span)
    span = (high - low) or 1.0
    return low - 0.06 * span, high + 0.06 * span


def _ticks(ax: Axes, low: float, high: float, log: bool) -> None:
    from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator, NullLocator

    if log:
        candidates = _LOG_TICKS[
            next(i for i, d in enumerate(_DECADES) if math.log10(high / low) <= d)
        ]
        ticks = [t for t in candidates if low / 1.02 <= t <= high * 1.02]
        ax.xaxis.set_major_locator(FixedLocator(ticks or [1.0]))
        ax.xaxis.set_minor_locator(NullLocator())
    else:
        ax.xaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))


# Tick sets for log axes by the number of decades the intervals span: fine steps for narrow
# ranges, 1-2-5 up to two decades, powers of ten beyond.
_DECADES = (0.78, 2.0, math.inf)
_LOG_TICKS = (
    [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.25, 1.5, 2, 3, 4, 5],
    [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100],
    [10.0**n for n in range(-6, 7)],
)


def _draw_left(ax: Axes, analysis: MetaAnalysis) -> None:
    ax.set_axis_off()
    binary = analysis.measure.outcome_type == "binary"
    header = "Events/Total" if binary else "Mean \u00b1 SD (n)"
    top = len(analysis.studies) + 1
    _header(ax, 0.0, top, "Study", "left")
    _header(ax, 0.66, top, f"Intervention\n{header}", "right")
    _header(ax, 0.99, top, f"Comparator\n{header}", "right")
    for y, study, _ in _rows(analysis):
        label = _shorten(study.study, 34) + (_ZERO_MARK if study.effect.added else "")
        ax.text(0.0, y, label, va="center", fontsize=9, color=_INK)
        first, second = _arm_texts(study, binary)
        ax.text(0.66, y, first, va="center", ha="right", fontsize=9, color=_INK)
        ax.text(0.99, y, second, va="center", ha="right", fontsize=9, color=_INK)
    totals = _totals(analysis, binary)
    ax.text(
        0.0,
        0,
        f"Total ({analysis.pooled.method}{', HKSJ' if analysis.pooled.hk else ''})",
        va="center",
        fontsize=9,
        fontweight="bold",
        color=_INK,
    )
    ax.text(0.66, 0, totals[0], va="center", ha="right", fontsize=9, color=_INK)
    ax.text(0.99, 0, totals[1], va="center", ha="right", fontsize=9, color=_INK)
    if analysis.pooled.pi_low is not None:
        ax.text(0.0, _PI_Y, "95% prediction interval", va="center", fontsize=8, color=_INK)
    ax.text(0.0, -1.0, _notes(analysis), va="top", fontsize=8, color=_INK, linespacing=1.5)


def _notes(analysis: MetaAnalysis) -> str:
    p = analysis.pooled
    q_p = "p n/a" if p.q_p is None else _p(p.q_p)
    tau2 = f"{p.tau2:.4g}"
    if p.tau2_ci is not None:
        tau2 += f" [{p.tau2_ci[0]:.4g}, {p.tau2_ci[1]:.4g}]"
    notes = (
        f"Heterogeneity: tau\u00b2 = {tau2}; I\u00b2 = {p.i2:.1f}%\n"
        f"Q = {p.q:.2f}, df = {p.q_df} ({q_p})\n"
        + test_line(p).replace("Test of the pooled effect", "Test for overall effect")
    )
    if any(s.effect.added for s in analysis.studies):
        notes += (
            f"\n{_ZERO_MARK.strip()} a zero cell: 0.5 added to every cell of that 2\u00d72 table"
        )
    return notes


_ZERO_MARK = " \u2020"
_PI_Y = -0.55


def _draw_right(ax: Axes, analysis: MetaAnalysis) -> None:
    ax.set_axis_off()
    top = len(analysis.studies) + 1
    _header(ax, 0.74, top, f"{analysis.measure} [95% CI]", "right")
    _header(ax, 0.995, top, "Weight", "right")
    for y, study, weight in _rows(analysis):
        low, high = study.effect.ci
        ax.text(
            0.74,
            y,
            _interval(analysis, study.effect.yi, low, high),
            va="center",
            ha="right",
            fontsize=9,
            color=_INK,
            family="monospace",
        )
        ax.text(0.995, y, f"{weight:.1f}%", va="center", ha="right", fontsize=9, color=_INK)
    p = analysis.pooled
    ax.text(
        0.74,
        0,
        _interval(analysis, p.estimate, p.ci_low, p.ci_high),
        va="center",
        ha="right",
        fontsize=9,
        fontweight="bold",
        color=_INK,
        family="monospace",
    )
    ax.text(0.995, 0, "100.0%", va="center", ha="right", fontsize=9, fontweight="bold", color=_INK)
    if p.pi_low is not None and p.pi_high is not None:
        pi_low, pi_high = (_figure(analysis.display(x)) for x in (p.pi_low, p.pi_high))
        ax.text(0.74, _PI_Y, f"[{pi_low}, {pi_high}]", va="center", ha="right", fontsize=8,
                color=_INK, family="monospace")  # fmt: skip


def _header(ax: Axes, x: float, y: float, text: str, align: str) -> None:
    ax.text(x, y, text, ha=align, va="bottom", fontsize=9, fontweight="bold", color=_INK)


def _interval(analysis: MetaAnalysis, yi: float, low: float, high: float) -> str:
    value, low, high = (analysis.display(x) for x in (yi, low, high))
    return f"{_figure(value)} [{_figure(low)}, {_figure(high)}]"


def _figure(value: float) -> str:
    """Two decimals, or two significant digits for values too small to show that way."""
    return f"{value:.2g}" if 0 < abs(value) < 0.01 else f"{value:.2f}"


def _arm_texts(study: StudyEffect, binary: bool) -> tuple[str, str]:
    v = study.values
    if not v:
        return "(estimate", "reported)"
    if binary:
        return f"{v[0]:g}/{v[1]:g}", f"{v[2]:g}/{v[3]:g}"
    return f"{v[0]:.4g} \u00b1 {v[1]:.4g} ({v[2]:g})", f"{v[3]:.4g} \u00b1 {v[4]:.4g} ({v[5]:g})"


def _totals(analysis: MetaAnalysis, binary: bool) -> tuple[str, str]:
    values = [s.values for s in analysis.studies if s.values]  # not the trials reporting only an estimate
    if binary:
        return (
            f"{sum(v[0] for v in values):g}/{sum(v[1] for v in values):g}",
            f"{sum(v[2] for v in values):g}/{sum(v[3] for v in values):g}",
        )
    return f"({sum(v[2] for v in values):g})", f"({sum(v[5] for v in values):g})"


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"
