from __future__ import annotations

import pytest

from extractor.normalise import (
    clean_text,
    find_trial_registrations,
    iso_date,
    language_code,
    month_number,
    normalise_doi,
    normalise_license,
    normalise_orcid,
    normalise_pmcid,
    normalise_pmid,
    parse_medline_date,
)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("10.1136/annrheumdis-2019-215396", "10.1136/annrheumdis-2019-215396"),
        ("https://doi.org/10.1136/ANNRHEUMDIS-2019-215396", "10.1136/annrheumdis-2019-215396"),
        ("http://dx.doi.org/10.1056/NEJMoa1405044", "10.1056/nejmoa1405044"),
        ("doi:10.1002/14651858.CD000001.pub2", "10.1002/14651858.cd000001.pub2"),
        ("DOI: 10.1002/14651858.CD000001.pub2.", "10.1002/14651858.cd000001.pub2"),
        ("https://doi.org/10.1002%2Fsim.1186", "10.1002/sim.1186"),
        ("10.1016/0140-6736(93)90001-X", "10.1016/0140-6736(93)90001-x"),
        ("(doi 10.1000/abc)", "10.1000/abc"),
        ("S0140-6736(19)30001-2", None),
        ("", None),
        (None, None),
    ],
)
def test_normalise_doi_variants(text, expected):
    assert normalise_doi(text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("PMC6937406", "PMC6937406"),
        ("pmc6937406", "PMC6937406"),
        ("6937406", "PMC6937406"),
        (6937406, "PMC6937406"),
        ("PMCID: PMC6937406", "PMC6937406"),
        ("PMC6937406.1", "PMC6937406"),
        ("PMC0", None),
        ("NIHMS12345", None),
        (None, None),
    ],
)
def test_normalise_pmcid_variants(text, expected):
    assert normalise_pmcid(text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("31537547", "31537547"),
        (" 31537547 ", "31537547"),
        ("PMID: 31537547", "31537547"),
        ("0031537547", "31537547"),
        (31537547, "31537547"),
        ("31537547.2", "31537547"),
        ("0", None),
        ("abc", None),
        (None, None),
    ],
)
def test_normalise_pmid_variants(text, expected):
    assert normalise_pmid(text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("0000-0002-1825-0097", "0000-0002-1825-0097"),
        ("https://orcid.org/0000-0002-1694-233X", "0000-0002-1694-233X"),
        ("http://orcid.org/0000000218250097", "0000-0002-1825-0097"),
        ("0000-0002-1694-233x", "0000-0002-1694-233X"),
        ("not an orcid", None),
    ],
)
def test_normalise_orcid_variants(text, expected):
    assert normalise_orcid(text) == expected


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("1998 Dec-1999 Jan", (1998, 12, None)),
        ("2000 Spring", (2000, 3, None)),
        ("2000 Summer", (2000, 6, None)),
        ("1999 Fall", (1999, 9, None)),
        ("2000 Winter", (2000, 12, None)),
        ("2001 Nov-Dec", (2001, 11, None)),
        ("Jan-Feb 2001", (2001, 1, None)),
        ("1998 Dec 15-21", (1998, 12, 15)),
        ("2000 Jan 5-Feb 10", (2000, 1, 5)),
        ("1975-1976", (1975, None, None)),
        ("1977-78 Fall-Winter", (1977, 9, None)),
        ("2019 Apr/Jun", (2019, 4, None)),
        ("1989 1st Quart", (1989, None, None)),
        ("", (None, None, None)),
        (None, (None, None, None)),
    ],
)
def test_normalise_parse_medline_date(raw, expected):
    assert parse_medline_date(raw) == expected


@pytest.mark.parametrize(
    "text,expected",
    [("1", 1), ("01", 1), ("Jan", 1), ("january", 1), ("Sept", 9), ("Sep.", 9), ("Dec", 12), ("13", None), ("Spring", None), ("", None)],
)
def test_normalise_month_number(text, expected):
    assert month_number(text) == expected


@pytest.mark.parametrize(
    "parts,expected",
    [
        ((2020, None, None), "2020"),
        ((2020, 1, None), "2020-01"),
        ((2020, 1, 9), "2020-01-09"),
        (("2020", "Jan", "09"), "2020-01-09"),
        (("2019", "Sep", "19"), "2019-09-19"),
        ((2021, 2, 30), "2021-02"),
        ((2020, 2, 29), "2020-02-29"),
        ((2020, None, 5), "2020"),
        ((None, 1, 1), None),
        (("", None, None), None),
        (("n.d.", None, None), None),
    ],
)
def test_normalise_iso_date(parts, expected):
    assert iso_date(*parts) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("eng", "en"),
        ("en", "en"),
        ("English", "en"),
        ("Inglés", "en"),
        ("ingles", "en"),
        ("Englisch", "en"),
        ("Anglais", "en"),
        ("Inglese", "en"),
        ("en-GB", "en"),
        ("fre", "fr"),
        ("fra", "fr"),
        ("Français", "fr"),
        ("ger", "de"),
        ("deu", "de"),
        ("Deutsch", "de"),
        ("chi", "zh"),
        ("Chinese", "zh"),
        ("jpn", "ja"),
        ("日本語", "ja"),
        ("spa", "es"),
        ("Español", "es"),
        ("Castilian", "es"),
        ("dut", "nl"),
        ("Dutch", "nl"),
        ("Flemish", "nl"),
        ("cze", "cs"),
        ("heb", "he"),
        ("kor", "ko"),
        ("pol", "pl"),
        ("por", "pt"),
        ("pt_BR", "pt"),
        ("rus", "ru"),
        ("nor", "no"),
        ("swe", "sv"),
        ("ita", "it"),
        ("dan", "da"),
        ("gre", "el"),
        ("Modern Greek", "el"),
        ("tur", "tr"),
        ("und", None),
        ("mul", None),
        ("Klingon", None),
        ("", None),
        (None, None),
    ],
)
def test_normalise_language_code(text, expected):
    assert language_code(text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("TRIAL REGISTRATION NUMBER: NCT02465580 and NCT02932137.", ("NCT02465580", "NCT02932137")),
        ("ClinicalTrials.gov (NCT 01234567); again NCT01234567", ("NCT01234567",)),
        ("ISRCTN registry: ISRCTN 61337442", ("ISRCTN61337442",)),
        ("Chinese Clinical Trial Registry, ChiCTR-IOR-15006444", ("ChiCTR-IOR-15006444",)),
        ("ChiCTR-TRC-09000412 and ChiCTR1800014567", ("ChiCTR-TRC-09000412", "ChiCTR1800014567")),
        ("EudraCT number 2004-000446-20.", ("2004-000446-20",)),
        ("EU CT number 2022-500014-26-00", ("2022-500014-26-00",)),
        ("ACTRN12610000123456", ("ACTRN12610000123456",)),
        ("German Clinical Trials Register DRKS00012345", ("DRKS00012345",)),
        ("CTRI/2018/03/012345", ("CTRI/2018/03/012345",)),
        ("CTRI/2009/091/000051", ("CTRI/2009/091/000051",)),
        ("JPRN-UMIN000012345", ("JPRN-UMIN000012345",)),
        ("UMIN-CTR UMIN000012345", ("UMIN000012345",)),
        ("jRCTs031180124 and jRCT2031200001", ("jRCTs031180124", "jRCT2031200001")),
        ("JapicCTI-121234", ("JapicCTI-121234",)),
        ("IRCT2013061513651N1, IRCT20170512033940N2", ("IRCT2013061513651N1", "IRCT20170512033940N2")),
        ("Clinical Research Information Service KCT0001234", ("KCT0001234",)),
        ("PACTR201509001234567", ("PACTR201509001234567",)),
        ("Netherlands Trial Register NTR1234", ("NTR1234",)),
        ("SLCTR/2015/012", ("SLCTR/2015/012",)),
        ("TCTR20180718002", ("TCTR20180718002",)),
        ("ReBEC RBR-7b7m9h", ("RBR-7b7m9h",)),
        ("NCT0246558 is too short; XNCT02465580 is glued", ()),
        ("p = 0.001; n = 2004-2005", ()),
        ("", ()),
        (None, ()),
    ],
)
def test_normalise_find_trial_registrations(text, expected):
    assert find_trial_registrations(text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("https://creativecommons.org/licenses/by-nc/4.0/", "CC BY-NC 4.0"),
        ("http://creativecommons.org/licenses/by/4.0/", "CC BY 4.0"),
        ("http://creativecommons.org/licenses/by-nc-nd/3.0/", "CC BY-NC-ND 3.0"),
        ("http://creativecommons.org/licenses/by/3.0/igo/", "CC BY 3.0 IGO"),
        ("https://creativecommons.org/publicdomain/zero/1.0/", "CC0 1.0"),
        ("CC BY-NC 4.0", "CC BY-NC 4.0"),
        ("CC-BY 4.0", "CC BY 4.0"),
        ("cc by-nc-sa", "CC BY-NC-SA"),
        ("CC0", "CC0"),
        (
            "This is an open access article distributed in accordance with the Creative Commons "
            "Attribution Non Commercial (CC BY-NC 4.0) license",
            "CC BY-NC 4.0",
        ),
        ("Creative Commons Attribution-NonCommercial-NoDerivatives 4.0 International License", "CC BY-NC-ND 4.0"),
        ("Creative Commons Attribution 4.0 International License", "CC BY 4.0"),
        ("under the terms of the Creative Commons Attribution-ShareAlike License", "CC BY-SA"),
        ("© The Author(s) 2020. Published by Elsevier Ltd.", None),
        ("All rights reserved.", None),
        (None, None),
    ],
)
def test_normalise_license(text, expected):
    assert normalise_license(text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("  a\n  b\tc ", "a b c"),
        ("1.73 m²", "1.73 m²"),
        ("Cafe\u0301", "Café"),
        ("Müller‐Lyer – ≥ 5 × 10⁹/L", "Müller‐Lyer – ≥ 5 × 10⁹/L"),
        ("   ", None),
        ("", None),
        (None, None),
    ],
)
def test_normalise_clean_text(text, expected):
    assert clean_text(text) == expected
