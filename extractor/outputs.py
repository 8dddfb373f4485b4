"""A set of output files replaced together: all the new ones, or the old ones untouched.

::

    with StagedOutputs(outdir, ["records.jsonl", "report.html", "report_pages", "report.json"]) as out:
        with out.open("records.jsonl") as stream:
            stream.write(...)
        with out.writing("report.html") as path:      # for writers that take a path
            write_html(path)

Everything is written into a hidden staging directory inside ``outdir`` (``.partial-XXXX``: the same
file system, so a rename is atomic). When the block ends normally the previous outputs of those
names are removed, then the new ones are renamed into place in the order named (put the file that
says a run is complete last), with SIGINT and SIGTERM held back meanwhile. When the block raises
(a full disk, an unwritable path, Ctrl-C) the staging directory is removed and the previous outputs
are left as they were. So ``outdir`` never holds half a file, a temporary file, or old outputs
beside new ones.

Files are created with :func:`open`, so they follow the user's umask (unlike ``mkstemp``, 0600).
A failed write raises :class:`~extractor.errors.OutputError` naming the output's final path.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType, TracebackType
from typing import IO, Any

from extractor.errors import OutputError

__all__ = ["StagedOutputs", "deferred_signals", "make_dir", "write_text"]

_STAGE_PREFIX = ".partial-"
_DEFERRED = (signal.SIGINT, signal.SIGTERM)


def make_dir(path: Path) -> None:
    """Create ``path`` (and its parents) if missing.

    Raises
    ------
    OutputError
        It cannot be created, or is not a directory.
    """
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:  # a file of that name
        raise OutputError(path, os.strerror(errno.ENOTDIR)) from None
    except OSError as e:
        raise OutputError(path, e) from None


def write_text(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` in UTF-8; a failure names ``path`` (as :func:`open` does)."""
    try:
        with open(path, "w", encoding="utf-8") as stream:
            stream.write(text)
    except OSError as e:
        raise OSError(e.errno, e.strerror, str(path)) from None
    return path


class StagedOutputs:
    """The files ``names`` of ``outdir``, written into a staging directory and replaced together."""

    def __init__(self, outdir: Path, names: Sequence[str]) -> None:
        self.outdir = Path(outdir)
        self.names = tuple(names)
        self.stage: Path | None = None

    def __enter__(self) -> StagedOutputs:
        make_dir(self.outdir)
        try:
            self.stage = Path(tempfile.mkdtemp(prefix=_STAGE_PREFIX, dir=self.outdir))
        except OSError as e:
            raise OutputError(self.outdir, e) from None
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        if kind is None:
            try:
                self._commit()
            except OSError as e:
                self._discard()
                raise OutputError(self.outdir, e) from None
        else:
            self._discard()

    def path(self, name: str) -> Path:
        """Where ``name`` is written before it is moved into place."""
        if self.stage is None:
            raise RuntimeError("StagedOutputs used outside its with block")
        if name.split("/", 1)[0] not in self.names:
            raise ValueError(f"{name!r} is not one of the outputs {self.names}")
        return self.stage / name

    @contextmanager
    def writing(self, name: str) -> Iterator[Path]:
        """The staging path of ``name``; a failure to write it is reported under its final path."""
        try:
            yield self.path(name)
        except OutputError:
            raise
        except OSError as e:
            raise OutputError(self._shown(e.filename, name), e) from None

    def _shown(self, filename: object, name: str) -> Path:
        """The final path of a staged file an error names (else of ``name``)."""
        stage = self.path(name).parent
        if isinstance(filename, str) and Path(filename).is_relative_to(stage):
            return self.outdir / Path(filename).relative_to(stage)
        return self.outdir / name

    @contextmanager
    def open(self, name: str, mode: str = "w") -> Iterator[IO[Any]]:
        """``name`` opened for writing (text in UTF-8 unless ``mode`` has ``b``)."""
        with self.writing(name) as path:
            encoding = None if "b" in mode else "utf-8"
            with open(path, mode, encoding=encoding) as stream:
                yield stream
                stream.flush()
                os.fsync(stream.fileno())

    def _commit(self) -> None:
        stage = self.path(self.names[0]).parent
        with deferred_signals():
            for name in self.names:
                _remove(self.outdir / name)
            for name in self.names:
                if os.path.lexists(stage / name):
                    os.replace(stage / name, self.outdir / name)
            stage.rmdir()
            _sync_dir(self.outdir)

    def _discard(self) -> None:
        if self.stage is not None:
            shutil.rmtree(self.stage, ignore_errors=True)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif os.path.lexists(path):
        path.unlink()


def _sync_dir(path: Path) -> None:
    """Make the renames durable (a directory's entries are synced through its descriptor)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def deferred_signals() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back until the block ends, then act on the first that came.

    Only the main thread can set signal handlers; elsewhere this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[tuple[int, FrameType | None]] = []
    previous = {sig: signal.signal(sig, lambda n, f: caught.append((n, f))) for sig in _DEFERRED}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if caught:
            number, frame = caught[0]
            handler = previous[signal.Signals(number)]
            if callable(handler):
                handler(number, frame)
            elif handler == signal.SIG_DFL:
                signal.raise_signal(number)
