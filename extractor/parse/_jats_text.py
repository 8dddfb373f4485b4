"""The running text of JATS: abstract and body sections (see :mod:`extractor.parse.jats`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from lxml.etree import _Element

from extractor.parse._abstract import clean_label, nlm_category
from extractor.parse._xml import SKIP_TAGS, inline_text, local
from extractor.records import AbstractSection, Section

__all__ = ["INLINE_SKIP", "abstract_sections", "body_sections", "own_content", "section_title"]

# Floats and markup whose text is not part of the paragraph they sit in.
_FLOATS = frozenset(
    {"table-wrap", "table-wrap-group", "fig", "fig-group", "table", "supplementary-material"}
)
INLINE_SKIP = SKIP_TAGS | _FLOATS | {"tex-math", "institution-id"}
# Children of a section (or body) that hold no running text of that section.
_NOT_RUNNING_TEXT = _FLOATS | {
    "title", "label", "abstract", "trans-abstract", "front", "back", "floats-group", "ref-list",
    "sub-article", "response", "sec-meta", "fn-group", "processing-meta",
}  # fmt: skip
_LABEL_TAGS = frozenset({"bold", "italic", "b", "i", "sc", "underline"})


# --- abstracts ---------------------------------------------------------------------------------


def abstract_sections(abstract: _Element) -> tuple[AbstractSection, ...]:
    """The labelled parts of one ``<abstract>`` (see the module docstring)."""
    paragraphs, secs = own_content(abstract)
    heading = clean_label(inline_text(abstract.find("{*}title"), skip=INLINE_SKIP))
    lead = heading if nlm_category(heading) else None
    out: list[AbstractSection] = []
    if paragraphs and not secs:
        out.extend(_inline_labelled(paragraphs, lead))
    elif paragraphs:
        out.append(AbstractSection(lead, nlm_category(lead), _join(paragraphs)))
    for sec in secs:
        out.extend(_abstract_sec(sec))
    return tuple(s for s in out if s.text or s.label)


def _abstract_sec(sec: _Element) -> Iterator[AbstractSection]:
    paragraphs, subsecs = own_content(sec)
    label = clean_label(inline_text(sec.find("{*}title"), skip=INLINE_SKIP))
    category = nlm_category(sec.get("sec-type")) or nlm_category(label)
    if paragraphs or label:
        yield AbstractSection(label, category, _join(paragraphs))
    for sub in subsecs:
        yield from _abstract_sec(sub)


def _inline_labelled(paragraphs: list[_Element], lead: str | None) -> list[AbstractSection]:
    """Sections of an abstract whose paragraphs open with inline labels, else one section."""
    parts: list[tuple[str | None, list[str]]] = []
    for p in paragraphs:
        pieces = _split_inline_labels(p)
        if pieces is None:
            text = _paragraph_text(p)
            if text and parts:
                parts[-1][1].append(text)
            elif text:
                parts.append((lead, [text]))
            continue
        parts.extend((label, [text]) for label, text in pieces)
    return [
        AbstractSection(label, nlm_category(label), "\n".join(t for t in texts if t))
        for label, texts in parts
    ]


def _split_inline_labels(p: _Element) -> list[tuple[str, str]] | None:
    """Split a paragraph at bold/italic labels NLM knows, or None if it does not open with one."""
    first = next(iter(p), None)
    if first is None or (p.text or "").strip() or not _inline_label(first):
        return None
    text = _paragraph_text(p) or ""
    found: list[tuple[str, int, int]] = []
    pos = 0
    for child in p:
        label = _inline_label(child) if local(child.tag) in _LABEL_TAGS else None
        raw = inline_text(child, skip=INLINE_SKIP) if label else None
        at = text.find(raw, pos) if raw else -1
        if label and at >= 0 and (at == 0 or text[:at].rstrip()[-1:] in ".!?)"):
            found.append((label, at, at + len(raw or "")))
            pos = at + len(raw or "")
    if not found:
        return None
    ends = [start for _, start, _ in found[1:]] + [len(text)]
    return [
        (label, text[end:stop].lstrip(" :.").strip())
        for (label, _, end), stop in zip(found, ends, strict=True)
    ]


def _inline_label(el: _Element) -> str | None:
    if local(el.tag) not in _LABEL_TAGS:
        return None
    text = inline_text(el, skip=INLINE_SKIP)
    if not text or len(text) > 60:
        return None
    tail = (el.tail or "").lstrip()
    if not (text.endswith((":", ".")) or tail.startswith((":", "."))):
        return None
    label = clean_label(text)
    return label if nlm_category(label) else None


# --- body ----------------------------------------------------------------------------------------


def own_content(container: _Element) -> tuple[list[_Element], list[_Element]]:
    """The paragraphs that belong to ``container`` itself, and its subsections, in document order.

    Lists, quotes and boxes are looked into; subsections, floats, titles and back matter are not.
    """
    paragraphs: list[_Element] = []
    secs: list[_Element] = []
    _gather(container, paragraphs, secs)
    return paragraphs, secs


def _gather(el: _Element, paragraphs: list[_Element], secs: list[_Element]) -> None:
    for child in el:
        name = local(child.tag)
        if name == "sec":
            secs.append(child)
        elif name == "p":
            paragraphs.append(child)
        elif name and name not in _NOT_RUNNING_TEXT:
            _gather(child, paragraphs, secs)


def body_sections(body: _Element) -> Iterator[Section]:
    """Flatten a ``<body>`` (or a fragment root) into Sections, in document order."""
    paragraphs, secs = own_content(body)
    text = _join(paragraphs)
    if text:
        yield Section(None, (), text)
    for sec in secs:
        yield from _walk(sec, ())


def _walk(sec: _Element, parent_path: tuple[str, ...]) -> Iterator[Section]:
    paragraphs, subsecs = own_content(sec)
    title = inline_text(sec.find("{*}title"), skip=INLINE_SKIP)
    path = (*parent_path, title) if title else parent_path
    yield Section(title, path, _join(paragraphs))
    for sub in subsecs:
        yield from _walk(sub, path)


def _paragraph_text(p: _Element) -> str | None:
    return inline_text(p, skip=INLINE_SKIP)


def _join(paragraphs: Iterable[_Element]) -> str:
    return "\n".join(t for t in map(_paragraph_text, paragraphs) if t)


def section_title(el: _Element) -> str | None:
    """The title of the nearest titled ``<sec>`` around ``el`` (None outside any section)."""
    for sec in el.iterancestors("{*}sec"):
        title = inline_text(sec.find("{*}title"), skip=INLINE_SKIP)
        if title:
            return title
    return None
