"""Arm names, sizes and labels, read from sentences written to cover each form."""

from __future__ import annotations

import pytest

from extractor.evidence.arms import (
    ArmLexicon,
    acronym_of,
    clean_arm_name,
    doses,
    group_label,
    label_definitions,
    name_before,
    partition_sizes,
    role_of,
    same_group,
    split_header_n,
)
from extractor.evidence.model import Arm
from extractor.nlp import get_nlp


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Group A received drug X; Group B received placebo.", [("Group A", "drug X"), ("Group B", "placebo")]),
        ("Patients (Group N, normal saline; Group L, lidocaine 40 mg)",
         [("Group N", "normal saline"), ("Group L", "lidocaine 40 mg")]),
        ("lidocaine (group L) and ketamine (group K)", [("Group L", "lidocaine"), ("Group K", "ketamine")]),
        ("in group L, group K and group R", []),
        ("In group I (120 people) intravenous lidocaine (1.5 mg/kg) was administered and in group II (120 people) "
         "intravenous morphine (0.1 mg/kg) was given.", [("Group I", "intravenous lidocaine"),
                                                         ("Group II", "intravenous morphine")]),
        ("no mention of groups at all", []),
    ],
)
def test_arms_label_definitions(text: str, expected: list[tuple[str, str]]) -> None:
    assert sorted((name, alias) for name, alias, _ in label_definitions(text)) == sorted(expected)
    assert all(rule_id.startswith("arms.label_") for *_, rule_id in label_definitions(text))


@pytest.mark.parametrize(
    "name,expected",
    [("Placebo (n = 75)", ("Placebo", 75)), ("IL-2 group, n=30", ("IL-2 group", 30)), ("Control", ("Control", None))],
)
def test_arms_split_header_n(name: str, expected: tuple[str, int | None]) -> None:
    assert split_header_n(name) == expected


@pytest.mark.parametrize(
    "name,expected",
    [("TAU¤ n (%)", "TAU"), ("82.2%", None), ("(n = 24)", None),
     ("normal renal function (lixisenatide", "normal renal function"),
     ("in placebo", "placebo"), ("each group", None), ("Follow-up 1 C2", None), ("years", None),
     ("30 µg YIC group", "30 µg YIC group"),
     # a relative clause, a pointer to a figure or a table, a share of a sample: no names
     ("which enrolled 12 clinics", None), ("see Figure 2 for the flow", None), ("Table 3", None),
     ("out of 40 patients", None), ("those who walked daily", "those who walked daily"),
     ("mg/kg/h in the saline group", "saline group"), ("Exercise ǂ", "Exercise"),
     # one unnamed group of several
     ("one of two standard treatment groups", None), ("one-stage repair", "one-stage repair"),
     # words and shares that name nobody
     ("Among the", None), ("Twenty-five percent", None), ("Among the vaccinated", "Among the vaccinated"),
     # a table's statistic or section headers
     ("LS mean (SE)", None), ("Change", None), ("Baseline characteristics", None), ("Usual care", "Usual care")],
)
def test_arms_clean_arm_name(name: str, expected: str | None) -> None:
    assert clean_arm_name(name) == expected


@pytest.mark.parametrize(
    "a,b,expected",
    [("Group I", "group I", True), ("Group I", "Group II", False), ("GDM 1", "GDM1 (tight targets)", True),
     ("GDM2", "GDM1 (tight targets)", False), ("macitentan 1 mg", "macitentan 600 mg", False),
     ("vaginal progesterone", "Progesterone", True), ("placebo", "drug X", False),
     ("non-smokers", "smokers", False), ("no phone calls", "phone calls", False),
     ("MPC + HA", "HA alone", False), ("MPC plus HA", "HA", False)],
)
def test_arms_same_group(a: str, b: str, expected: bool) -> None:
    assert same_group(a, b, {}) is expected


def test_arms_same_group_by_abbreviation_only_for_the_whole_name() -> None:
    abbreviations = {"HA": "hyaluronan"}
    assert same_group("HA group", "hyaluronan", abbreviations)
    assert not same_group("MPC + HA", "hyaluronan", abbreviations)


def _doc(text: str):  # type: ignore[no-untyped-def]
    return get_nlp()(text)


def test_arms_name_before_a_bracketed_group_name() -> None:
    doc = _doc("patients received MPCs (MPC + HA group) (n = 11) or HA alone (n = 6)")
    n_at = next(t.i for t in doc if t.text == "n")
    start, end = name_before(doc, n_at - 1)
    assert doc[start:end].text == "MPC + HA group"


@pytest.mark.parametrize("text,name", [
    ("Trial ended. H. pylori-positive adults (n = 40) took part", "H. pylori-positive adults"),
    ("were given to group B. Placebo recipients (n = 40) took part", "Placebo recipients"),
])
def test_arms_name_before_reads_through_an_abbreviated_genus_only(text: str, name: str) -> None:
    doc = _doc(text)
    start, end = name_before(doc, next(t.i for t in doc if t.text == "("))
    assert doc[start:end].text == name


@pytest.mark.parametrize(
    "text,expected",
    [("CZP 200 mg + MTX (n = 393)", ["CZP 200 mg MTX"]),
     ("images from the short-bore scanner", ["short bore"]),
     ("patients without an ICU-AW diagnosis", ["no ICU-AW"])],
)
def test_arms_lexicon_mentions(text: str, expected: list[str]) -> None:
    arms = [Arm("CZP 200 mg MTX", n_randomised=393), Arm("PBO MTX", role="control"),
            Arm("short bore", aliases=("short-bore MR scanner",)), Arm("open scanner"),
            Arm("no ICU-AW", aliases=("without ICU-AW diagnosis",)), Arm("ICU-AW")]
    lexicon = ArmLexicon(arms)
    assert [m.arm for m in lexicon.mentions(_doc(text))] == expected


def test_arms_labels_doses_roles_acronyms() -> None:
    assert group_label("Group H0 (n = 50)") == "group h0" and group_label("the groups were") is None
    assert doses("macitentan 0.2 mg or 600 mg") == {"0.2", "600"}
    assert role_of("usual care") == "control" and role_of("drug X") == "intervention"
    assert acronym_of("NBT", "nature-based therapy") and not acronym_of("NBT", "cognitive therapy")


def test_arms_partition_of_the_participants() -> None:
    text = ("Out of 14 patients; 5 (35.7%) obtained 32 mg, 4 (28.6%) obtained 64 mg and also 5 (35.7%) obtained "
            "96 mg of buprenorphine.")
    found = list(partition_sizes(text))
    assert [(name, n) for name, n, _, _ in found] == [("buprenorphine 32 mg", 5), ("buprenorphine 64 mg", 4),
                                                      ("buprenorphine 96 mg", 5)]
    assert all(text[start:end].startswith(str(n)) for _, n, start, end in found)
    assert list(partition_sizes("Out of 14 patients; 5 (35.7%) obtained 32 mg, 4 (28.6%) obtained 64 mg.")) == []


def test_arms_named_before_a_bracket_describing_them() -> None:
    doc = _doc("a trial with a basic (tailored intervention targeting cognition; n=456), plus (basic intervention "
               "targeting the environment; n=459), and control (generic information; n=434) group.")
    names = [doc[slice(*name_before(doc, t.i))].text for t in doc if t.text == "n"]
    assert names == ["basic", "plus", "control"]


def test_arms_every_size_keeps_its_kind_rule_and_evidence() -> None:
    from extractor.evidence import read_trial
    from extractor.records import Record

    record = Record(source_format="pubmed", pmid="1", abstract=(
        "Ninety adults were randomised to drug A (n = 46) or placebo (n = 44). "
        "Of these, 40 given drug A and 41 given placebo were analysed."))
    arms = {a.name: a for a in read_trial(record).arms}
    sizes = {(z.n, z.kind) for z in arms["drug A"].sizes}
    assert (46, "randomised") in sizes
    for arm in arms.values():
        assert arm.rules
        for size in arm.sizes:
            assert size.rule and size.evidence is not None
            assert str(size.n) in size.evidence.text
            assert record.abstract[size.evidence.start : size.evidence.end] == size.evidence.text


@pytest.mark.parametrize(("note", "sized"), [
    ("Rash was seen with drug A (3 patients) and placebo (2 patients).", False),  # counts of an event
    ("Adverse events in patients given drug A (n = 40) or placebo (n = 41).", True),  # the groups' sizes
])
def test_arms_a_table_note_about_events_sizes_groups_only_by_n(note: str, sized: bool) -> None:
    from extractor.evidence import read_trial
    from extractor.records import Record, Table

    table = Table("t1", "Table 2", "Adverse events", (("Event", "Drug A", "Placebo"),),
                  (("Rash", "3", "2"),), footnotes=(note,))
    record = Record(source_format="pmc", pmcid="PMC1", abstract="Adults took drug A or placebo for a week.",
                    tables=(table,))
    sizes = {a.name.lower(): a.n for a in read_trial(record).arms}
    assert (sizes.get("placebo") is not None) == sized
    if sized:
        assert sizes["placebo"] == 41


def _count_phrase_names(text: str) -> list[tuple[str, int]]:
    from extractor.evidence.arms import count_phrases
    from extractor.nlp import get_nlp

    doc = get_nlp()(text)
    return [(doc[a:b].text, n) for sent in doc.sents for a, b, n in count_phrases(sent)]


@pytest.mark.parametrize(("text", "expected"), [
    ("There were 24 in the EMS group and 25 in the sham group after randomisation.", [("EMS group", 24), ("sham group", 25)]),
    ("Patients were randomised (31 intervention and 30 control).", [("intervention", 31), ("control", 30)]),
    ("Patients were randomised to 250 mg in the active group.", []),                 # a dose, not a count
    ("Patients were randomised (27 males and 31 females).", []),                    # a make-up by sex
    ("They were randomised to inhaled drug (two puffs, 12 hourly) or placebo.", []),  # a dosing schedule
    ("Thirty-seven adults in the tea group were randomised.", [("tea group", 37)]),  # read once, not as "seven"
    ("There were forty-one in the tea group and 40 in the water group after randomisation.",
     [("tea group", 41), ("water group", 40)]),
    ("Recruitment ran from March 2010 to July 2012 in the tea group after randomisation.", []),  # dates
    ("There were 2012 adults in the tea group after randomisation.", [("tea group", 2012)]),
    # a spread and the digits of a number written with a space count nobody
    ("Time fell more in the tea group (-2 ± 10 ms; 3 ± 13%) after randomisation.", []),
    ("After randomisation 6 352 came back (3 181 tea; 3 171 water).", []),
])
def test_arms_count_phrases(text: str, expected: list[tuple[str, int]]) -> None:
    assert _count_phrase_names(text) == expected


def test_arms_counts_of_findings_beside_events_are_no_groups() -> None:
    from extractor.evidence import read_trial
    from extractor.records import Record

    record = Record(source_format="pubmed", pmid="2", abstract=(
        "Eyes were randomised to drug A (n = 40) or placebo (n = 41). "
        "Complications in the drug A group were wound leak (n = 2) and detachment (n = 1)."))
    names = {a.name for a in read_trial(record).arms}
    assert names == {"drug A", "placebo"}


@pytest.mark.parametrize(("subheaders", "expected"), [
    (("All (n = 42) No. (%)", "All (n = 44) No. (%)"), {"Gel group": 42, "Cream group": 44}),
    # a sized part of each group (those who filled a questionnaire) is neither an arm nor the group's size
    (("Responders (n = 35) No. (%)", "Responders (n = 36) No. (%)"), {"Gel group": None, "Cream group": None}),
])
def test_arms_a_spanning_group_header_over_sized_subheaders(subheaders, expected) -> None:  # type: ignore[no-untyped-def]
    from extractor.evidence import read_trial
    from extractor.records import Record, Table

    table = Table("t1", "Table 1", "Characteristics of the patients",
                  (("", "Gel group", "Cream group"),),
                  (("", *subheaders), ("Women", "20 (48)", "22 (50)"), ("Smokers", "5 (12)", "6 (14)")))
    record = Record(source_format="pmc", pmcid="PMC2", abstract="Adults used a gel or a cream.", tables=(table,))
    assert {a.name: a.n for a in read_trial(record).arms} == expected


def test_arms_a_size_a_table_header_gives_carries_that_header_cell_as_evidence() -> None:
    from extractor.evidence import read_trial
    from extractor.records import Record, Table

    table = Table("t1", "Table 2", "Outcomes", (("", "Gel (n = 41)", "Cream (n = 39)"),),
                  (("Pain score", "3.1 ± 1.2", "4.0 ± 1.5"),))
    record = Record(source_format="pmc", pmcid="PMC3", abstract="Adults used a gel or a cream.", tables=(table,))
    sizes = {a.name: [z for z in a.sizes if z.kind == "table"] for a in read_trial(record).arms}
    (gel,), (cream,) = sizes["Gel"], sizes["Cream"]
    assert (gel.n, gel.evidence.section, gel.evidence.text) == (41, "tables/0/header/0/1", "Gel (n = 41)")
    assert (cream.n, cream.evidence.section) == (39, "tables/0/header/0/2")


def test_arms_an_arm_named_by_its_abbreviation_is_found_by_its_long_form() -> None:
    from extractor.evidence.arms import ArmLexicon
    from extractor.evidence.model import Arm
    from extractor.nlp import get_nlp

    arms = (Arm("TOB", aliases=("TOB group",)), Arm("single-incision band", aliases=("single-incision band group",)))
    lexicon = ArmLexicon(arms, {"TOB": "transobturator midurethral band"})
    doc = get_nlp()("Transobturator Band")
    assert [m.arm for m in lexicon.mentions(doc)] == ["TOB"]  # "band" alone names neither arm


@pytest.mark.parametrize(("abstract", "expected"), [
    # one size for every group, said once
    ("Group A received a gel. Group B received a cream. We randomised 25 patients per group.",
     {"gel": 25, "cream": 25}),
    # a size larger than the whole sample the trial states is dropped
    ("A total of 60 patients were randomised. Outcomes were compared between the gel group (n = 30) and "
     "the cream group (n = 600).", {"gel group": 30, "cream group": None}),
    # two names sized side by side in one list are two groups, though one name holds the other's words
    ("We did a randomised trial. Adults got rasburicase (n = 80) or early rasburicase (n = 82).",
     {"rasburicase": 80, "early rasburicase": 82}),
    # groups named only together before "groups" are the arms a size said for each group sizes
    ("We did a randomised trial in 90 adults with gout, with 45 adults allocated to each of the drug A and "
     "placebo groups. Pain fell more with drug A.", {"drug A": 45, "placebo": 45}),
    # ... but only where nothing else names the arms
    ("Adults were given drug A (n = 40) or drug B (n = 38). Pain fell more in the drug A and placebo arms of "
     "an earlier trial.", {"drug A": 40, "drug B": 38}),
    # a list of sized groups joined by semicolons names each of them; a name may open with "improved"
    ("We did a randomised trial. Adults were divided into three groups: drug K plus diet (n = 8); drug K "
     "plus exercise (n = 5); and drug K plus rest (n = 4).",
     {"drug K plus diet": 8, "drug K plus exercise": 5, "drug K plus rest": 4}),
    ("Forty adults were randomized to either improved pain care (IC) n = 21 or usual pain care (UC) n = 19.",
     {"improved pain care": 21, "usual pain care": 19}),
    # "cases" name a group beside controls
    ("We did a case-control study. Blood was drawn from 88 cases and 120 controls.", {"cases": 88, "controls": 120}),
    # a group named by its role beside groups named otherwise is a group of its own
    ("Adults with gout were given febuxostat (n = 20) or allopurinol (n = 21); urate was also measured in 25 healthy "
     "controls.", {"febuxostat": 20, "allopurinol": 21, "healthy controls": 25}),
    # a dose named alone in a list of sized groups is the dose of the drug before it, and a group of its own
    ("We did a randomised trial in adults with gout. Outcomes were compared in febuxostat 40 mg (n = 120), "
     "80 mg (n = 118) and placebo (n = 121) groups.",
     {"febuxostat 40 mg": 120, "febuxostat 80 mg": 118, "placebo": 121}),
])
def test_arms_sizes_said_for_every_group_and_within_the_total(abstract: str, expected: dict[str, int | None]) -> None:
    from extractor.evidence import read_trial
    from extractor.records import Record

    arms = read_trial(Record(source_format="pubmed", pmid="3", abstract=abstract)).arms
    assert {a.name: a.n_randomised for a in arms} == expected


@pytest.mark.parametrize(("name", "expected"), [
    ("but only 17%", None), ("reduced by 12", None),  # a value before the size it was read from
    ("GDM 2", "GDM 2"), ("group 2", "group 2"), ("aspirin 81", "aspirin 81"),
])
def test_arms_a_name_that_ends_with_a_value_is_none(name: str, expected: str | None) -> None:
    assert clean_arm_name(name) == expected


def test_arms_lexicon_arms_told_apart_by_a_generic_word_are_named_by_it_with_the_next() -> None:
    lexicon = ArmLexicon([Arm("double dose of drug K"), Arm("single dose of drug K")])
    assert [m.arm for m in lexicon.mentions(_doc("Pain fell more in the double dose group than in the single dose group."))] \
        == ["double dose of drug K", "single dose of drug K"]
    assert lexicon.mentions(_doc("A double blind trial of drug K.")) == []


@pytest.mark.parametrize("methods,expected", [
    ("Adults with gout (n = 120) were randomised to drug X (n = 60) or placebo (n = 60).",
     {"drug X": 60, "placebo": 60}),
    ("Eligible volunteers (n = 90) were then randomly assigned to tea (n = 45) or water (n = 45).",
     {"tea": 45, "water": 45}),
    ("Group A (n = 30) was assigned to drug X and group B (n = 30) to placebo.", {"Group A": 30, "group B": 30}),
])
def test_arms_the_sample_shared_out_among_the_arms_is_no_arm(methods: str, expected: dict[str, int]) -> None:
    from extractor.evidence import read_trial
    from extractor.records import AbstractSection, Record

    record = Record(source_format="pubmed", pmid="3", abstract=methods,
                    abstract_sections=(AbstractSection("METHODS", "METHODS", methods),))
    assert {a.name: a.n_randomised for a in read_trial(record).arms} == expected
