"""The HTML evidence report: escaping, nesting, links both ways, flags, and a run in Chromium.

Unit tests build small records and comparisons by hand, so each offset is known. The Chromium
tests open real reports (Debian's ``chromium``; skipped only when it is not installed) and read
back the page's own check of every highlight, its console and a screenshot.
"""

from __future__ import annotations

import random
import re
import shutil
import struct
import subprocess
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli
from extractor.evidence.model import Arm, ArmValue, Comparison, Evidence, Result, TrialEvidence
from extractor.records import Record, Section, Table
from extractor.report import (
    Mark,
    evidence_roles,
    markup,
    pages_dir,
    pair_trials,
    plan_marks,
    render_report,
    write_report,
    write_report_files,
)

ABSTRACT = 'SRI-4 at week 12: 16/29 (55.17%) with IL-2 & "low dose" vs 9/30 with placebo (p<0.001).'
CELL = "7/13 <n=13>"
BAD_TITLE = 'IL-2 <script>alert("x")</script> & lupus'


def ev(section: str, text: str, sub: str, label: str | None = None) -> Evidence:
    start = text.index(sub)
    return Evidence(section, sub, start, start + len(sub), label)


def make_record(**changes: object) -> Record:
    fields: dict[str, object] = {
        "source_format": "pmc",
        "pmid": "123",
        "pmcid": "PMC9",
        "title": BAD_TITLE,
        "abstract": ABSTRACT,
        "sections": (Section("Results", ("Results",), "Complete remission: 7/13 vs 2/12."),),
        "tables": (
            Table(
                None,
                "Table 1",
                "Remission <by arm>",
                (("Outcome", "IL-2", "Placebo"),),
                (("Remission", CELL, "2/12"),),
            ),
        ),
    }
    fields.update(changes)
    return Record(**fields)  # type: ignore[arg-type]


def make_trial(
    *, p_consistent: bool | None = False, extra: tuple[Evidence, ...] = ()
) -> TrialEvidence:
    """Two comparisons: one read from the abstract (derived percent, p check), one from a table."""
    a = ArmValue(
        "IL-2", events=16, total=29, evidence=(ev("abstract", ABSTRACT, "16/29 (55.17%)"),)
    )
    b = ArmValue("placebo", events=9, total=30, evidence=(ev("abstract", ABSTRACT, "9/30"),))
    sentence = Evidence("abstract", ABSTRACT, 0, len(ABSTRACT), "Abstract")
    result = Result(
        "SRI-4",
        "binary",
        (a, b),
        ABSTRACT,
        "text",
        timepoint="week 12",
        p_value=0.001,
        p_operator="<",
        evidence=(sentence,),
    )
    first = Comparison(
        "123",
        "PMC9",
        "SRI-4",
        "binary",
        "IL-2",
        "placebo",
        timepoint="week 12",
        is_primary=True,
        intervention_events=16,
        intervention_group_size=29,
        comparator_events=9,
        comparator_group_size=30,
        intervention_percent=55.17,
        comparator_percent=30.0,
        p_value=0.001,
        p_operator="<",
        p_recomputed=0.0412,
        p_consistent=p_consistent,
        derived=("comparator_percent",),
        evidence=(*a.evidence, *b.evidence, sentence, *extra),
        confidence=0.6,
    )
    cells = (
        ev("tables/0/body/0/1", CELL, "7/13"),
        ev("tables/0/body/0/2", "2/12", "2/12"),
        Evidence("tables/0/body/0/0", "Remission", 0, 9, "Table 1, row 1"),
    )
    second = Comparison(
        "123",
        "PMC9",
        "Remission",
        "binary",
        "IL-2",
        "placebo",
        intervention_events=7,
        intervention_group_size=13,
        comparator_events=2,
        comparator_group_size=12,
        evidence=cells,
        confidence=0.9,
    )
    arm = Arm("IL-2", n_randomised=30, evidence=(ev("abstract", ABSTRACT, "IL-2"),))
    return TrialEvidence(
        "123", "PMC9", BAD_TITLE, (arm, Arm("placebo")), (result,), (first, second)
    )


class Page(HTMLParser):
    """What a browser would see: text per data-span (fragments joined), ids, links, attributes."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str | None] = []
        self.span_text: dict[str, str] = {}
        self.fragments: dict[str, int] = {}
        self.elements: dict[str, tuple[str, dict[str, str]]] = {}
        self.marks: dict[str, dict[str, str]] = {}
        self.links: list[tuple[str | None, str]] = []  # (enclosing row id, target)
        self.row: str | None = None
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.elements[a["id"]] = (tag, a)
        if tag == "tr" and "id" in a:
            self.row = a["id"]
        if tag == "a" and a.get("href", "").startswith("#"):
            self.links.append((self.row, a["href"][1:]))
        if tag == "mark":
            span = a.get("data-span", "legend")
            self.fragments[span] = self.fragments.get(span, 0) + 1
            if "data-expected" in a:
                self.marks[span] = a
            self.open.append(span)

    def handle_endtag(self, tag: str) -> None:
        if tag == "mark":
            self.open.pop()
        if tag == "tr":
            self.row = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        for span in self.open:
            self.span_text[span] = self.span_text.get(span, "") + data


def short(html: str) -> str:
    """``<mark ... data-span="m1" ...>`` as ``<m1>``, to compare structure."""
    return re.sub(r'<mark [^>]*data-span="([^"]+)"[^>]*>', r"<\1>", html)


def mark(span: str, start: int, end: int, text: str) -> Mark:
    return Mark(span, "abstract", start, end, text[start:end], ("a1-c1",), ("value",))


# -- markup: nesting, crossing, escaping ----------------------------------------------------------


@pytest.mark.parametrize(
    "spans,expected",
    [
        ([(0, 8), (3, 5)], "<m1>ab <m2>cd</mark> ef</mark>"),  # a sentence holding a value
        ([(0, 5), (3, 8)], "<m1>ab <m2>cd</mark></mark><m2> ef</mark>"),  # crossing: m2 split
        ([(0, 5), (0, 2)], "<m1><m2>ab</mark> cd</mark> ef"),  # same start: the longer outside
        ([(3, 8), (6, 8)], "ab <m1>cd <m2>ef</mark></mark>"),  # same end
        ([(0, 2), (2, 5)], "<m1>ab</mark><m2> cd</mark> ef"),  # adjacent
        ([(0, 8), (0, 5), (3, 5)], "<m1><m2>ab <m3>cd</mark></mark> ef</mark>"),  # three deep
        ([(5, 99), (4, 4)], "ab cd ef"),  # outside the text, empty: left out
    ],
)
def test_report_markup_nests_and_splits_marks(spans: list[tuple[int, int]], expected: str) -> None:
    text = "ab cd ef"
    marks = [mark(f"m{i}", s, e, text) for i, (s, e) in enumerate(spans, 1)]
    assert short(markup(text, marks)) == expected


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_report_markup_every_fragment_set_shows_its_span(seed: int) -> None:
    rng = random.Random(seed)
    text = "".join(rng.choice("ab <&>\"'\n") for _ in range(120))
    bounds = {tuple(sorted(rng.sample(range(121), 2))) for _ in range(40)}
    marks = [mark(f"m{i}", s, e, text) for i, (s, e) in enumerate(sorted(bounds))]
    page = Page(markup(text, marks))
    assert "".join(page.text) == text
    assert {m.id: page.span_text[m.id] for m in marks} == {m.id: m.expected for m in marks}
    assert set(page.marks) == {m.id for m in marks}  # one first fragment (with id) per mark


@pytest.mark.parametrize(
    "needle",
    ["p&lt;0.001", "IL-2 &amp; &quot;low dose&quot;", "&lt;by arm&gt;", "</mark> &lt;n=13&gt;"],
)
def test_report_escapes_source_text(needle: str) -> None:
    html = render_report([make_record()], [make_trial()])
    assert needle in html
    assert "<script>alert" not in html and "&lt;script&gt;alert(&quot;x&quot;)" in html
    assert html.count("<script>") == 1  # the page's own script only


def test_report_source_texts_survive_the_markup() -> None:
    page = Page(render_report([make_record()], [make_trial()]))
    text = "".join(page.text)
    for expected in (ABSTRACT, "Complete remission: 7/13 vs 2/12.", "Remission <by arm>", CELL):
        assert expected in text
    assert all(page.span_text[s] == a["data-expected"] for s, a in page.marks.items())


# -- links both ways ------------------------------------------------------------------------------


def test_report_links_rows_and_marks_both_ways() -> None:
    page = Page(render_report([make_record()], [make_trial()]))
    assert all(target in page.elements for _, target in page.links)
    for row, target in page.links:
        tag, attrs = page.elements[target]
        if tag == "mark" and row is not None:
            assert row in attrs["data-rows"].split()  # the highlight leads back to the row
    for span, attrs in page.marks.items():
        for row in attrs["data-rows"].split():
            assert span in page.elements[row][1]["data-marks"].split()


@pytest.mark.parametrize(
    "row,linked_text",
    [
        ("a1-c1", "16/29 (55.17%)"),
        ("a1-c1", "9/30"),
        ("a1-c1", ABSTRACT),
        ("a1-c2", "7/13"),
        ("a1-c2", "2/12"),
        ("a1-c2", "Remission"),
        ("a1-arm1", "IL-2"),
    ],
)
def test_report_row_links_to_each_of_its_values(row: str, linked_text: str) -> None:
    page = Page(render_report([make_record()], [make_trial()]))
    targets = {t for r, t in page.links if r == row}
    assert linked_text in {page.marks[t]["data-expected"] for t in targets if t in page.marks}


def test_report_numbers_link_to_their_side() -> None:
    html = render_report([make_record()], [make_trial()])
    page = Page(html)
    by_text = {a["data-expected"]: s for s, a in page.marks.items()}
    assert f'<a href="#{by_text["16/29 (55.17%)"]}" class="num">16</a>' in html
    assert f'<a href="#{by_text["9/30"]}" class="num">9</a>' in html
    assert f'<a href="#{by_text[ABSTRACT]}">&lt; 0.001</a>' in html  # p: its sentence


# -- derived values and failed p checks -----------------------------------------------------------


def test_report_marks_derived_values_and_failed_p_checks() -> None:
    html = render_report([make_record()], [make_trial(p_consistent=False)])
    page = Page(html)
    row = re.search(r'<tr id="a1-c1"[^>]*>.*?</tr>', html).group()  # type: ignore[union-attr]
    assert 'class="pfail"' in row and "✗ recomputed 0.0412" in row
    assert re.search(r'class="num derived" title="derived: percentage computed[^"]*">30%', row)
    assert "C: percent" in row
    classes = {a["data-expected"]: a["class"].split() for a in page.marks.values()}
    assert {"pfail", "derived", "value"} <= set(classes["9/30"])  # the comparator's % is derived
    assert "derived" not in classes["16/29 (55.17%)"] and "pfail" in classes[ABSTRACT]
    assert "pfail" not in classes["7/13"]
    assert "failed p check" in html and "derived: computed, not read" in html  # the legend


@pytest.mark.parametrize(
    "consistent,shown", [(True, "✓ recomputed 0.0412"), (None, "recomputed 0.0412")]
)
def test_report_shows_passed_and_unchecked_p(consistent: bool | None, shown: str) -> None:
    html = render_report([make_record()], [make_trial(p_consistent=consistent)])
    row = re.search(r'<tr id="a1-c1"[^>]*>.*?</tr>', html).group()  # type: ignore[union-attr]
    assert shown in row and "pfail" not in row


# -- evidence that cannot be placed, roles, pairing ------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        Evidence("sections/7", "16/29", 0, 5),
        Evidence("abstract", "x", 500, 501),
        Evidence("tables/3/body/0/0", "y", 0, 1),
    ],
)
def test_report_lists_evidence_it_cannot_place(bad: Evidence) -> None:
    html = render_report([make_record()], [make_trial(extra=(bad,))])
    warning = re.search(r'<div class="warn">.*?</div>', html)
    assert warning and f"{bad.section} [{bad.start}:{bad.end}]" in warning.group()
    assert "a1-c1" in warning.group()


def test_report_without_its_record_lists_all_evidence() -> None:
    html = render_report([], [make_trial()])
    assert "the record was not given" in html and "<mark id=" not in html


@pytest.mark.parametrize("with_result", [True, False])
def test_report_evidence_roles(with_result: bool) -> None:
    trial = make_trial()
    roles = evidence_roles(trial.comparisons[0], trial.results if with_result else ())
    by_text = {e.text: roles[(e.section, e.start, e.end)] for e in trial.comparisons[0].evidence}
    assert by_text == {"16/29 (55.17%)": "intervention", "9/30": "comparator", ABSTRACT: "context"}


def test_report_plan_marks_shares_one_mark_per_span() -> None:
    trial = make_trial()
    again = Comparison(
        "123",
        "PMC9",
        "SRI-4 (ITT)",
        "binary",
        "IL-2",
        "placebo",
        evidence=trial.comparisons[0].evidence,
    )
    marks, roles = plan_marks(
        "a1",
        TrialEvidence("123", "PMC9", None, trial.arms, trial.results, (*trial.comparisons, again)),
    )
    assert (
        len(marks)
        == len({(e.section, e.start, e.end) for c in trial.comparisons for e in c.evidence}) + 1
    )
    sentence = marks[("abstract", 0, len(ABSTRACT))]
    assert sentence.rows == ("a1-c1", "a1-c3") and set(roles) == {
        "a1-c1",
        "a1-c2",
        "a1-c3",
        "a1-arm1",
        "a1-arm2",
    }


def test_report_pairs_trials_with_their_records() -> None:
    records = [make_record(pmid="1", pmcid=None), make_record(pmid="2", pmcid="PMC2")]
    trials = [
        TrialEvidence(pid, pmc, None, (), ())
        for pid, pmc in (("2", "PMC2"), ("1", None), ("3", None))
    ]
    paired = [(r.pmid if r else None, t.pmid) for r, t in pair_trials(records, trials)]
    assert paired == [("2", "2"), ("1", "1"), (None, "3")]


def three_kinds() -> tuple[list[Record], list[TrialEvidence]]:
    """A trial with comparisons, one with none, and a record without an abstract (nor any text)."""
    records = [make_record(), make_record(pmid="456", pmcid=None, title="Nothing compared"),
               make_record(pmid="789", pmcid=None, title="Title only", abstract=None, sections=(), tables=())]
    trials = [make_trial(), TrialEvidence("456", None, "Nothing compared", (Arm("A"),), ())]
    return records, trials


def test_report_counts_every_record_and_lists_the_others_apart() -> None:
    html = render_report(*three_kinds())
    summary = re.search(r"<p>(.*?) · <output", html)
    assert summary is not None
    assert summary.group(1) == ("3 records · 2 comparisons · 1 with comparisons · 1 with none found · "
                                "1 without an abstract")
    groups = re.findall(r'<h2 class="group">(.*?)</h2><ol class="toc">(.*?)</ol>', html)
    assert [heading for heading, _ in groups] == ["Articles with comparisons", "No comparison found", "No abstract"]
    assert 'href="#a2">Nothing compared</a>' in groups[1][1] and "PMID 456" in groups[1][1]
    assert "Title only" in groups[2][1] and "<a " not in groups[2][1]  # no article to link to


def many_trials(n: int) -> tuple[list[Record], list[TrialEvidence]]:
    records, trials = [], []
    for i in range(n):
        pmid = str(1000 + i)
        records.append(make_record(pmid=pmid))
        trial = make_trial()
        trials.append(TrialEvidence(pmid, trial.pmcid, trial.title, trial.arms, trial.results,
                                    tuple(replace(c, pmid=pmid) for c in trial.comparisons)))
    return records, trials


def test_report_pages_of_articles_and_an_index(tmp_path: Path) -> None:
    records, trials = many_trials(5)
    records.append(make_record(pmid="789", pmcid=None, abstract=None, sections=(), tables=()))
    index = tmp_path / "report.html"
    written = write_report_files(index, records, trials, page_articles=2)
    pages = sorted(pages_dir(index).iterdir())
    assert [p.name for p in pages] == ["page-0001.html", "page-0002.html", "page-0003.html"]
    assert set(written) == {index, *pages}
    html = index.read_text()
    assert "6 records · 10 comparisons · 5 with comparisons · 0 with none found · 1 without an abstract" in html
    assert 'No abstract (1)</h2><p class="apart">789</p>' in html
    for href in re.findall(r'href="(report_pages/[^"]+)"', html):
        assert (tmp_path / href).is_file()
    second = Page(pages[1].read_text())
    assert {"a3", "a4"} <= set(second.elements) and "a5" not in second.elements
    assert re.findall(r'<a href="([^"#]+)">', pages[1].read_text()) == ["page-0001.html", "../report.html",
                                                                        "page-0003.html"] * 2


def test_report_pages_table_the_inputs_apart(tmp_path: Path) -> None:
    inputs = [{"input": "1000", "where": "ID 1", "pmid": "1000", "mapped": "1000", "used": "pmid", "via": "given"},
              {"input": "10.5555/x", "where": "ID 2", "doi": "10.5555/x", "reason": "not in PubMed"}]
    index = tmp_path / "report.html"
    write_report_files(index, *many_trials(3), inputs, page_articles=2)
    html = index.read_text()
    assert 'href="report_pages/inputs.html"' in html
    assert "10.5555/x" in html and "<td>1000</td><td>ID 1</td>" not in html  # only what did not map
    table = (pages_dir(index) / "inputs.html").read_text()
    assert "<td>1000</td><td>ID 1</td>" in table and "not in PubMed" in table


def test_report_rewritten_whole(tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    write_report(path, *many_trials(60))  # more than a page holds
    assert len(list(pages_dir(path).iterdir())) == 2
    write_report(path, *three_kinds())  # one page: the old pages go
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]
    assert "3 records" in path.read_text()


def test_report_is_self_contained() -> None:
    html = render_report([make_record()], [make_trial()])
    assert not re.search(r"<link|<img|<iframe|\bsrc=|@import|url\(", html)
    assert re.findall(r'href="(http[^"]*)"', html) == ["https://pubmed.ncbi.nlm.nih.gov/123/"]


def test_report_cli_writes_the_page(tmp_path: Path, fixtures_dir: Path) -> None:
    out = tmp_path / "report.html"
    result = CliRunner().invoke(
        cli.cli,
        ["report", str(fixtures_dir / "pmc" / "PMC4497726.nxml"), "-o", str(out)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "Dose-Response of Aerobic Exercise on Cognition" in html and "<mark id=" in html


# -- headless Chromium ----------------------------------------------------------------------------

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


@pytest.fixture(scope="module")
def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.skip("chromium is not installed (CI installs Debian's chromium package)")
    return found


def run_chromium(
    chromium: str, page: Path, tmp_path: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    command = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args, page.as_uri()]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)


def console_messages(stderr: str) -> list[str]:
    """Lines Chromium logs for the page's console (every level; our page logs nothing)."""
    return [line for line in stderr.splitlines() if re.search(r":CONSOLE[(:\]]", line)]


def selfcheck(chromium: str, page: Path, tmp_path: Path) -> tuple[dict[str, str], list[str]]:
    done = run_chromium(chromium, page, tmp_path, "--enable-logging=stderr", "--v=0", "--dump-dom")
    tag = re.search(r'<output id="selfcheck"[^>]*>', done.stdout)
    assert tag, done.stdout[:500]
    return Page(tag.group()).elements["selfcheck"][1], console_messages(done.stderr)


@pytest.fixture(scope="module", params=["pmc/PMC4497726.nxml", "catalogue/seed_pubmed-6937406.txt"])
def real_report(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, fixtures_dir: Path
) -> tuple[Path, int]:
    """The report of a real record: a PMC article, or the seed (derived counts, failed p check)."""
    from extractor.evidence import extract_evidence
    from extractor.parse import parse_file
    from extractor.report import write_report

    records = parse_file(fixtures_dir / request.param)
    trials = list(extract_evidence(records))
    assert len(trials) == 1 and trials[0].comparisons
    path = write_report(tmp_path_factory.mktemp("report") / "report.html", records, trials)
    return path, len(plan_marks("a1", trials[0])[0])


def test_report_chromium_highlights_show_their_evidence(
    chromium: str, real_report: tuple[Path, int], tmp_path: Path
) -> None:
    path, marks = real_report
    result, console = selfcheck(chromium, path, tmp_path)
    assert console == []
    assert marks >= 10 and result["data-checked"] == str(marks)
    assert result["data-failed"] == "0" and result["class"] == "ok"


def test_report_chromium_screenshot(
    chromium: str, real_report: tuple[Path, int], tmp_path: Path
) -> None:
    from PIL import Image

    shot = tmp_path / "report.png"
    run_chromium(
        chromium, real_report[0], tmp_path, "--window-size=1280,2400", f"--screenshot={shot}"
    )
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    assert struct.unpack(">II", data[16:24]) == (1280, 2400) and len(data) > 50_000
    with Image.open(shot) as image:
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20) or []
    pixels = {rgb: n for n, rgb in colours}
    assert len(pixels) > 50  # text, tables and highlights, not a blank page
    assert pixels.get((255, 229, 138), 0) > 200  # the value highlight colour (#ffe58a) is painted


def test_report_chromium_catches_a_wrong_highlight(chromium: str, tmp_path: Path) -> None:
    right = ev("abstract", ABSTRACT, "9/30")
    wrong = Evidence("abstract", "9/30", right.start + 1, right.end + 1)  # shows "/30 "
    trial = make_trial(extra=(wrong,))
    page = tmp_path / "wrong.html"
    page.write_text(render_report([make_record()], [trial]), encoding="utf-8")
    result, console = selfcheck(chromium, page, tmp_path)
    assert console == []
    assert result["data-failed"] == "1" and result["class"] == "bad"
    assert result["data-checked"] == str(len(plan_marks("a1", trial)[0]))


def test_report_chromium_console_errors_are_seen(chromium: str, tmp_path: Path) -> None:
    page = tmp_path / "broken.html"
    page.write_text(
        '<!DOCTYPE html><output id="selfcheck"></output><script>nosuch();</script>',
        encoding="utf-8",
    )
    _, console = selfcheck(chromium, page, tmp_path)
    assert len(console) == 1 and "nosuch is not defined" in console[0]


def test_report_chromium_opens_an_index_and_its_pages(chromium: str, tmp_path: Path) -> None:
    index = tmp_path / "out" / "report.html"
    write_report(index, *many_trials(60))
    done = run_chromium(chromium, index, tmp_path, "--enable-logging=stderr", "--v=0", "--dump-dom")
    assert console_messages(done.stderr) == [] and "page 2" in done.stdout
    result, console = selfcheck(chromium, pages_dir(index) / "page-0002.html", tmp_path)  # articles 51-60
    assert console == [] and result["data-failed"] == "0" and result["data-checked"] == str(10 * len(plan_marks("a1", make_trial())[0]))


def test_report_an_estimate_with_no_arm_numbers_shows_its_arms_and_estimate() -> None:
    trial = make_trial()
    estimate = Comparison("123", "PMC9", "flares", "time-to-event", "IL-2", "placebo", effect_measure="HR",
                          effect=0.61, ci_low=0.4, ci_high=0.93, ci_level=95.0)
    html = render_report([make_record()], [replace(trial, comparisons=(*trial.comparisons, estimate))])
    row = re.findall(r"<tr id=\"a1-c\d\"[^>]*>.*?</tr>", html, re.S)[-1]
    assert '<span class="arm">IL-2</span></td>' in row and "HR 0.61" in row and "–/–" not in row


def test_report_marks_numbers_read_from_the_title() -> None:
    from extractor.evidence import extract_evidence

    title = ("Drug A versus drug B for gout: a randomised trial. Adults with gout were randomly assigned to "
             "drug A (n = 52) or drug B (n = 49).")
    record = Record("medline", pmid="2", title=title)
    html = render_report([record], list(extract_evidence([record])))
    block = re.search(r'<div class="text" data-section="title">.*?</div>', html, re.S)
    assert block and "<mark" in block.group()
    assert '<div class="warn">' not in html
