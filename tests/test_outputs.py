from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from extractor.errors import OutputError
from extractor.outputs import StagedOutputs, deferred_signals, make_dir, write_text

NAMES = ("a.txt", "pages", "done.json")


def write_all(outdir: Path, text: str, fail_at: str | None = None) -> None:
    with StagedOutputs(outdir, NAMES) as out:
        with out.open("a.txt") as stream:
            stream.write(text)
        with out.writing("pages") as pages:
            pages.mkdir()
            write_text(pages / "1.html", text)
            if fail_at == "pages":
                raise OSError(28, "No space left on device", str(pages / "2.html"))
        with out.open("done.json") as stream:
            stream.write(text)


def test_outputs_replaced_together(tmp_path: Path) -> None:
    write_all(tmp_path, "old")
    (tmp_path / "pages" / "stale.html").write_text("stale")
    write_all(tmp_path, "new")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(NAMES)
    assert [p.name for p in (tmp_path / "pages").iterdir()] == ["1.html"]
    assert (tmp_path / "a.txt").read_text() == (tmp_path / "done.json").read_text() == "new"


def test_outputs_failure_keeps_the_old_ones_and_names_the_final_path(tmp_path: Path) -> None:
    write_all(tmp_path, "old")
    with pytest.raises(OutputError, match=f"cannot write {tmp_path / 'pages' / '2.html'}: No space left"):
        write_all(tmp_path, "new", fail_at="pages")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(NAMES)  # no .partial-* left
    assert (tmp_path / "a.txt").read_text() == (tmp_path / "pages" / "1.html").read_text() == "old"


def test_outputs_interrupted_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(KeyboardInterrupt), StagedOutputs(tmp_path / "out", NAMES) as out:
        with out.open("a.txt") as stream:
            stream.write("half")
        raise KeyboardInterrupt
    assert list((tmp_path / "out").iterdir()) == []


@pytest.mark.parametrize("mask", [0o022, 0o077])
def test_outputs_follow_the_umask(tmp_path: Path, mask: int) -> None:
    old = os.umask(mask)
    try:
        write_all(tmp_path, "x")
    finally:
        os.umask(old)
    assert (tmp_path / "a.txt").stat().st_mode & 0o777 == 0o666 & ~mask
    assert (tmp_path / "pages").stat().st_mode & 0o777 == 0o777 & ~mask


def test_outputs_refuse_names_not_declared(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not one of the outputs"), StagedOutputs(tmp_path, NAMES) as out:
        out.path("other.txt")


def test_outputs_make_dir_over_a_file(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("")
    with pytest.raises(OutputError, match=f"cannot write {tmp_path / 'f'}: Not a directory"):
        make_dir(tmp_path / "f")


def test_outputs_deferred_signals_act_after_the_block() -> None:
    done = []
    with pytest.raises(KeyboardInterrupt), deferred_signals():
        signal.raise_signal(signal.SIGINT)
        done.append("after the signal")
    assert done == ["after the signal"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
