"""Matching a sheet's arm names to the trial's arms."""

from __future__ import annotations

import pytest

from extractor.evidence import read_trial
from extractor.evidence.model import Arm, Query
from extractor.evidence.sheet_arms import arm_score, resolve_arm, sheet_arm_name
from extractor.records import AbstractSection, Record

ARMS = (Arm("Smokers", n_randomised=30), Arm("Non-smokers", n_randomised=27), Arm("palmvitee", n_randomised=29),
        Arm("placebo", n_randomised=28, role="control"))


@pytest.mark.parametrize(
    "name,expected",
    [("nonsmokers", "Non-smokers"), ("palmvitee 200 mg/day", "palmvitee"), ("Placebo capsules", "placebo"),
     ("palmvitee nonsmokers", None),  # a cell of the factorial design, not one arm
     ("vitamin C", None)],
)
def test_sheet_arms_resolve(name: str, expected: str | None) -> None:
    found = resolve_arm(name, ARMS, {})
    assert (found.name if found else None) == expected


def test_sheet_arms_scores_labels_and_abbreviations() -> None:
    assert arm_score("Laser therapy (Group I)", Arm("Group I"), {}) == 1.0
    assert arm_score("Laser therapy (Group I)", Arm("Group II"), {}) == 0.0
    assert arm_score("white grape juice", Arm("WGJ"), {"WGJ": "white grape juice"}) >= 0.6


def _record(methods: str) -> Record:
    sections = (AbstractSection("METHODS", "METHODS", methods),)
    return Record("pubmed", pmid="9", abstract=methods, abstract_sections=sections)


def _query_arms(record: Record, query: Query) -> tuple[tuple[Arm, ...], str, str]:
    """The trial's arms with the sheet's names added, as ``read_trial`` reads them for a sheet row."""
    sheet = read_trial(record, [query]).sheet_arms(query)
    return sheet.arms, sheet.intervention, sheet.comparator


def test_sheet_arms_two_arm_trial_by_role_and_subgroups_of_one_arm() -> None:
    record = _record("Patients were randomised to lidocaine (n = 40) or placebo (n = 41).")
    arms, i_name, c_name = _query_arms(record, Query("pain", "intravenous lidocaine infusion", "saline", None))
    assert (i_name, c_name) == ("lidocaine", "placebo")
    arms, i_name, c_name = _query_arms(record, Query("pain", "lidocaine in women", "lidocaine in men", None))
    assert {a.name: a.n for a in arms}[i_name] is None  # two subgroups of one arm: neither is the arm


def test_sheet_arms_a_name_listing_several_arms_is_their_pool() -> None:
    record = _record("Patients were randomised to HCF (n = 20), HP (n = 19), MIX (n = 18) or control (n = 17).")
    arms, i_name, c_name = _query_arms(record, Query("insulin", "HCF", "control, or HP, or MIX", None))
    sizes = {a.name: a.n for a in arms}
    assert (i_name, sizes[i_name]) == ("HCF", 20)
    assert c_name not in ("control", "HP", "MIX") and sizes[c_name] == 17 + 19 + 18


def test_sheet_arms_no_treatment_in_a_trial_without_controls_is_the_same_patients_before() -> None:
    record = _record("Out of 14 patients; 5 (35.7%) obtained 32 mg, 4 (28.6%) obtained 64 mg and 5 (35.7%) "
                     "obtained 96 mg of buprenorphine.")
    arms, i_name, c_name = _query_arms(record, Query("anxiety", "Buprenorphine 64 mg", "No treatment", None))
    sizes = {a.name: a.n for a in arms}
    assert (sizes[i_name], sizes[c_name]) == (4, 4)


def test_sheet_arms_a_sheet_naming_a_group_by_what_it_received() -> None:
    record = _record("A randomized trial was conducted with a basic (tailored intervention targeting individual "
                     "cognition; n=456), plus (basic intervention additionally targeting environmental factors; "
                     "n=459), and control (generic nutrition information; n=434) group.")
    arms, i_name, c_name = _query_arms(record, Query("snacks", "Intervention targeting environmental factors", "Control",
                                                     None))
    assert (i_name, c_name) == ("plus", "control")


@pytest.mark.parametrize(("methods", "expected"), [
    # sizes stated and unequal: no equal split fills the unsized arm
    ("Sixty adults were randomised into two groups. Those given the gel (n = 32) were younger than the others.",
     None),
    # no size stated for either group: each has half
    ("Sixty adults were randomised into two groups: the gel group and the cream group.", 30),
])
def test_sheet_arms_an_equal_split_only_where_no_unequal_size_is_stated(methods: str, expected: int | None) -> None:
    record = _record(methods)
    arms, _, c_name = _query_arms(record, Query("itch", "gel", "cream", None))
    cream = next(a for a in arms if a.name == c_name)
    assert cream.n == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("zinc 20&nbsp;mg daily", "zinc 20\xa0mg daily".replace("\xa0", " ")),
    ("oral zinc;", "oral zinc"),
    ("received an oral zinc tablet", "oral zinc tablet"),
    ("the zinc group", "zinc group"),
    ("20 mg zinc was given to the children at breakfast", "20 mg zinc"),
    ("the placebo group received a sugar tablet", "placebo group"),
    ("another group received 20 mg zinc", "20 mg zinc"),
    ("Group B received a sugar tablet", "Group B"),
    ("placebo", "placebo"),
])
def test_sheet_arms_sheet_arm_name(text: str, expected: str) -> None:
    assert sheet_arm_name(text) == expected


def test_sheet_arms_a_bracketed_label_names_its_group() -> None:
    arms = (Arm("K group", n_randomised=20), Arm("M group", n_randomised=20))
    assert resolve_arm("curved blade (K group)", arms, {}) is arms[0]
    assert resolve_arm("straight blade (M group)", arms, {}) is arms[1]


def test_sheet_arms_one_group_label_names_its_arm_whatever_else_the_sheet_says() -> None:
    arms = (Arm("Group A", n_randomised=20), Arm("Group B", n_randomised=20), Arm("warm saline", n_randomised=20))
    assert resolve_arm("Group B: warm saline 10 ml/kg", arms, {}) is arms[1]
    assert resolve_arm("Group A and group B: saline", arms, {}) is not arms[0]  # two labels: no one arm


def test_sheet_arms_a_group_named_twice_is_one_arm() -> None:
    record = _record("Children were randomised to ketamine 1 mg/kg (n = 25) or propofol 2 mg/kg (n = 24). "
                     "The K group (n = 25) and the P group (n = 24) were alike at entry.")
    arms, i_name, c_name = _query_arms(record, Query("pain", "ketamine 1 mg/kg (K group)", "propofol 2 mg/kg (P group)",
                                                     None))
    by_name = {a.name: a for a in arms}
    assert {i_name, c_name} <= set(by_name) and i_name != c_name
    assert len({n for a in (by_name[i_name],) for n in (a.name, *a.aliases)} & {"ketamine 1 mg/kg", "K group"}) == 2


def test_sheet_arms_without_x_is_the_control_arm() -> None:
    record = _record("Adults were randomised to a walking app (n = 40) or a control group (n = 41).")
    arms, i_name, c_name = _query_arms(record, Query("steps", "with the walking app", "without the walking app", None))
    assert (i_name, c_name) == ("walking app", "control group")
    arms, i_name, c_name = _query_arms(record, Query("steps", "walking app in adults with knee pain",
                                                     "walking app in adults without knee pain", None))
    assert c_name != "control group"  # subgroups of the app's arm, not the control arm


def test_sheet_arms_the_condition_the_intervention_adds_to_is_the_control() -> None:
    record = _record("Adults followed two diets in turn.")
    arms, i_name, c_name = _query_arms(record, Query("weight", "low-fat diet with walnuts", "low-fat diet", None))
    roles = {a.name: a.role for a in arms}
    assert (roles[i_name], roles[c_name]) == ("intervention", "control")


def test_sheet_arms_one_arm_keeps_no_company() -> None:
    record = _record("Patients with hay fever (n = 39) took montelukast and a placebo in turn. With montelukast, "
                     "patients with hay fever sneezed less. Hay fever eased with montelukast.")
    arms, i_name, _ = _query_arms(record, Query("sneezing", "montelukast", "placebo", None))
    assert i_name == "montelukast"  # not the one group the text sizes, which montelukast keeps company with
