"""Small PubMed files for the bulk tests: real records of ``fixtures/pubmed`` under new PMIDs."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
HEADER = b'<?xml version="1.0" ?>\n<PubmedArticleSet>\n'
_ARTICLE = re.compile(rb"<PubmedArticle>.*?</PubmedArticle>", re.DOTALL)
_CITATION = re.compile(rb"<MedlineCitation .*?</MedlineCitation>", re.DOTALL)
_PMID = re.compile(rb'(<PMID Version="\d+">)\d+(</PMID>)')
_ARTICLE_ID = re.compile(rb'(<ArticleId IdType="pubmed">)\d+(</ArticleId>)')


def real_articles() -> list[bytes]:
    """Real records of the fixtures, as ``PubmedArticle`` elements: those of the recorded efetch
    answers and metapub files byte for byte, and the randomised trials of the MEDLINE excerpt
    (``MedlineCitation`` elements, wrapped)."""
    found = []
    for path in [*sorted((FIXTURES / "eutils" / "efetch").glob("efetch_pubmed_*.xml")),
                 *sorted((FIXTURES / "pubmed").glob("metapub_*.xml"))]:  # fmt: skip
        found.extend(m.group(0) for m in _ARTICLE.finditer(path.read_bytes()))
    excerpt = (FIXTURES / "eutils" / "efetch" / "medline16n0902_rct_excerpt.xml").read_bytes()
    found.extend(b"<PubmedArticle>" + m.group(0) + b"</PubmedArticle>" for m in _CITATION.finditer(excerpt))
    return found


def with_pmid(article: bytes, pmid: str, *, title_prefix: str | None = None) -> bytes:
    article = _PMID.sub(rb"\g<1>" + pmid.encode() + rb"\g<2>", article, count=1)
    article = _ARTICLE_ID.sub(rb"\g<1>" + pmid.encode() + rb"\g<2>", article, count=1)
    if title_prefix:
        article = article.replace(b"<ArticleTitle>", b"<ArticleTitle>" + title_prefix.encode(), 1)
    return article


def write_pubmed(
    path: Path, pmids: list[str], *, deleted: list[str] = (), title_prefix: str | None = None  # type: ignore[assignment]
) -> Path:
    """A PubmedArticleSet of ``pmids`` (real records cycled), then a DeleteCitation of ``deleted``;
    gzip when ``path`` ends in .gz."""
    articles = real_articles()
    body = [with_pmid(articles[i % len(articles)], p, title_prefix=title_prefix) for i, p in enumerate(pmids)]
    if deleted:
        body.append(b"<DeleteCitation>" + b"".join(b'<PMID Version="1">%s</PMID>' % p.encode() for p in deleted)
                    + b"</DeleteCitation>")
    data = HEADER + b"\n".join(body) + b"\n</PubmedArticleSet>\n"
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)
    return path
