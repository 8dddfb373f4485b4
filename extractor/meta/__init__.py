"""Effect sizes, pooling and forest plots for the comparison table.

``effects``, ``mh``, ``tau2`` and ``pool`` are plain Python (scipy for quantiles and root
finding); ``table``, ``trials`` (one trial counted once) and ``analysis`` work on pandas
DataFrames; ``plot`` needs matplotlib (the ``plot`` extra) and is imported on its own:
``from extractor.meta.plot import forest_plot``.
"""

from __future__ import annotations

from extractor.meta.analysis import MetaAnalysis, Skipped, StudyEffect, analyse, format_summary
from extractor.meta.effects import (
    EffectSize,
    Measure,
    binary_effect,
    confidence_interval,
    continuous_effect,
    hedges_correction,
)
from extractor.meta.pool import Method, Pooled, pool, pool_mh
from extractor.meta.table import read_table, row_effect

__all__ = [
    "EffectSize",
    "Measure",
    "MetaAnalysis",
    "Method",
    "Pooled",
    "Skipped",
    "StudyEffect",
    "analyse",
    "binary_effect",
    "confidence_interval",
    "continuous_effect",
    "format_summary",
    "hedges_correction",
    "pool",
    "pool_mh",
    "read_table",
    "row_effect",
]
