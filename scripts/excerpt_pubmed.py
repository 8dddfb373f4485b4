"""Copy chosen records, byte for byte, out of a real PubMed XML file into a small fixture (dev-only).

The excerpt keeps the source's XML declaration and DOCTYPE, its root element, and the chosen
records verbatim (selected by PMID; ``delete`` also copies the trailing DeleteCitation)::

    python scripts/excerpt_pubmed.py SOURCE.xml[.gz] OUT.xml[.gz] PMID... [--delete]
"""

from __future__ import annotations

import gzip
import re
import sys


def records(data: bytes, tag: bytes) -> list[tuple[bytes, bytes]]:
    """(pmid, verbatim bytes) of each top-level ``tag`` element."""
    found = []
    for m in re.finditer(rb"<%s[ >].*?</%s>" % (tag, tag), data, re.DOTALL):
        pmid = re.search(rb"<PMID[^>]*>(\d+)</PMID>", m.group(0))
        found.append((pmid.group(1) if pmid else b"", m.group(0)))
    return found


def main(argv: list[str]) -> None:
    src, out, *pmids = argv
    delete = "--delete" in pmids
    wanted = [p.encode() for p in pmids if p != "--delete"]
    data = gzip.open(src).read() if src.endswith(".gz") else open(src, "rb").read()
    root = re.search(rb"<(PubmedArticleSet|MedlineCitationSet)>", data)
    head = data[: root.end()]
    tag = b"MedlineCitation" if root.group(1) == b"MedlineCitationSet" else b"PubmedArticle"
    chosen = dict(records(data, tag) + records(data, b"PubmedBookArticle"))
    parts = [head] + [b"\n" + chosen[p] for p in wanted]
    if delete:
        parts.append(b"\n" + re.search(rb"<DeleteCitation>.*?</DeleteCitation>", data, re.DOTALL).group(0))
    parts.append(b"\n</%s>\n" % root.group(1))
    body = b"".join(parts)
    opener = gzip.open if out.endswith(".gz") else open
    with opener(out, "wb") as f:
        f.write(body)


if __name__ == "__main__":
    main(sys.argv[1:])
