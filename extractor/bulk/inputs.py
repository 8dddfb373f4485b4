"""The inputs of a bulk run: files, globs and directories expanded into units of work.

A PubMed file (baseline or update, ``.xml`` or ``.xml.gz``) is one unit. PMC JATS files, which
come one article each, are grouped into units of up to :data:`JATS_BATCH` files of one directory,
so that a unit writes parts of a useful size. Files are kept in *file order*: sorted by name, then
path. PubMed numbers its baseline and update files (``pubmed25n0001`` ... ``pubmed25n1400``) so
that this is the order in which they were published, which is the order updates apply in.
"""

from __future__ import annotations

import glob
import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from extractor.errors import InputError

__all__ = ["JATS_BATCH", "InputFile", "Unit", "expand_inputs", "file_order", "make_units", "sha256"]

JATS_BATCH = 200
_PUBMED_SUFFIXES = (".xml", ".xml.gz")
_JATS_SUFFIXES = (".nxml", ".nxml.gz", ".xml", ".xml.gz")


@dataclass(frozen=True, slots=True)
class InputFile:
    """One input file and its size in bytes."""

    path: str
    size: int


@dataclass(frozen=True, slots=True)
class Unit:
    """One task: the files it reads and the name of the parts it writes."""

    part: str
    files: tuple[InputFile, ...]

    @property
    def size(self) -> int:
        return sum(f.size for f in self.files)


def file_order(path: str) -> tuple[str, str]:
    """The sort key of file order: the name, then the whole path."""
    return os.path.basename(path), path


def expand_inputs(inputs: Sequence[str]) -> tuple[list[InputFile], list[InputFile]]:
    """(PubMed files, JATS files) named by ``inputs``, each list in file order, each file once.

    A directory contributes its PubMed files (``*.xml``, ``*.xml.gz`` whose content starts as
    PubMed XML) and its JATS files (``*.nxml``, and XML files that are not PubMed), recursively.

    :raises InputError: when an input names nothing, or nothing readable is found.
    """
    pubmed: dict[str, InputFile] = {}
    jats: dict[str, InputFile] = {}
    for pattern in inputs:
        paths = _expand(pattern)
        if not paths:
            raise InputError(f"no such file or directory: {pattern}")
        for path in paths:
            target = pubmed if _is_pubmed(path) else jats
            target.setdefault(path, InputFile(path, os.path.getsize(path)))
    if not pubmed and not jats:
        raise InputError("no PubMed or JATS files found in: " + ", ".join(inputs))
    return _ordered(pubmed.values()), _ordered(jats.values())


def _expand(pattern: str) -> list[str]:
    found = glob.glob(pattern) if glob.has_magic(pattern) else [pattern] if os.path.exists(pattern) else []
    files: list[str] = []
    for path in found:
        if os.path.isdir(path):
            files.extend(str(p) for p in sorted(Path(path).rglob("*")) if p.is_file() and _is_xml(p.name))
        else:
            files.append(path)
    return [os.path.abspath(p) for p in files]


def _is_xml(name: str) -> bool:
    return name.endswith(_PUBMED_SUFFIXES) or name.endswith(_JATS_SUFFIXES)


def _is_pubmed(path: str) -> bool:
    """Read from the content, as ``parse`` does: the format detector on the file's first bytes."""
    from extractor.errors import UnknownFormatError
    from extractor.parse import HEAD_SIZE, detect_format

    with open(path, "rb") as f:
        head = f.read(HEAD_SIZE)
    try:
        return detect_format(head) == "pubmed"
    except UnknownFormatError:
        return False  # not PubMed: left to the JATS reader, which reports it as the file's failure


def _ordered(files: Iterable[InputFile]) -> list[InputFile]:
    return sorted(files, key=lambda f: file_order(f.path))


def make_units(pubmed: Sequence[InputFile], jats: Sequence[InputFile], batch: int = JATS_BATCH) -> list[Unit]:
    """One unit per PubMed file; JATS files in batches of ``batch`` files of one directory."""
    units = [Unit(_part_name(f.path), (f,)) for f in pubmed]
    by_dir: dict[str, list[InputFile]] = {}
    for f in jats:
        by_dir.setdefault(os.path.dirname(f.path), []).append(f)
    for files in by_dir.values():
        for start in range(0, len(files), batch):
            chunk = tuple(files[start : start + batch])
            units.append(Unit(_part_name(chunk[0].path, *(f.path for f in chunk)), chunk))
    return units


def _part_name(first: str, *paths: str) -> str:
    """A readable, unique part name: the first file's stem and a hash of every path in the unit."""
    digest = hashlib.sha1("\n".join(paths or (first,)).encode()).hexdigest()[:10]
    stem = os.path.basename(first).split(".")[0]
    return f"{stem}-{digest}"


def sha256(path: str) -> str:
    """The SHA-256 of a file, read in large blocks."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()
