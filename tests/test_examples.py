"""The R example runs on what ``export --format metafor`` writes, where R and metafor are installed.

Skipped cleanly elsewhere (CI need not have R): when ``Rscript`` is not on the PATH, or R says
there is no package called metafor.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from test_meta_effects import BCG

from extractor.export import write_table
from extractor.meta import analyse

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "metafor_export.R"


def _run_example(*args: str) -> str:
    """Run the example with ``args``; skip when R or metafor is missing, return its stdout."""
    rscript = shutil.which("Rscript")
    if rscript is None:
        pytest.skip("Rscript is not installed")
    run = subprocess.run([rscript, str(EXAMPLE), *args], capture_output=True, text=True, timeout=120)
    if run.returncode != 0 and "no package called" in run.stderr:
        pytest.skip("the R package metafor is not installed")
    assert run.returncode == 0, run.stderr
    return run.stdout


@pytest.mark.parametrize("measure,method", [("RR", "REML")])
def test_examples_metafor_script_pools_the_export_as_pool_does(
    tmp_path: Path, measure: str, method: str
) -> None:
    table = pd.DataFrame(  # dat.bcg (see test_meta_effects.py): tau^2 is far from 0
        [(f"trial {i}", a, a + b, c, c + d) for i, (a, b, c, d) in enumerate(BCG, 1)],
        columns=["study", *(f"{arm}_{what}" for arm in ("intervention", "comparator")
                            for what in ("events", "group_size"))],
    )
    export = tmp_path / "trials.csv"
    write_table(table, export, "metafor", measure=measure)
    stdout = _run_example(str(export), measure, method)
    found = dict(re.findall(r"(\w+)=(\S+)", stdout.splitlines()[-1]))
    ours = analyse(table, measure=measure, method=method).pooled
    assert int(found["k"]) == ours.k == 13 and ours.tau2 > 0.3
    for name in ("estimate", "se", "tau2"):
        assert float(found[name]) == pytest.approx(getattr(ours, name), rel=1e-6, abs=1e-12)
