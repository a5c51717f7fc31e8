"""Conservative merging of people and organisations: what must merge, and what must not."""

from __future__ import annotations

import pytest

from extractor.people import display_score, fold, org_key, resolve_speakers, same_organization, same_person


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Ipek Ozkardeskaya", "ipek ozkardeskaya"),
        ("Ipek Ozkardeskaya", "\u0130pek \u00d6zkarde\u015fkaya"),
        ("IPEK OZKARDESKAYA", "ipek \u00f6zkarde\u015fkaya"),
        ("Michael J. Saylor", "Michael Saylor"),
        ("Michael J. Saylor", "Michael James Saylor"),
        ("Dr. Ada Novak", "Ada Novak"),
        ("Jos\u00e9 Mar\u00eda Garc\u00eda", "Jose Garcia"),
        ("Lars S\u00f8rensen", "Lars Sorensen"),
        ("Conor O'Brien", "Conor OBrien"),
        ("Kim Jones Jr.", "Kim Jones"),
    ],
)
def test_spellings_of_one_person_merge(a: str, b: str) -> None:
    assert same_person(a, b)
    assert same_person(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Tom Lee", "Amy Lee"),
        ("Ipek Ozkardeskaya", "Ipek Ozkardes"),
        ("Justin Sun", "Justin Sung"),
        ("Chris Burniske", "Christopher Burniske"),
        ("Michael J. Saylor", "Michael K. Saylor"),
        ("Kim Jones Jr.", "Kim Jones Sr."),
        ("Ozkardeskaya", "Ipek Ozkardeskaya"),  # a bare surname is settled per article, not globally
        ("Lee", "Lee"),
        ("", ""),
    ],
)
def test_different_people_do_not_merge(a: str, b: str) -> None:
    assert not same_person(a, b)
    assert not same_person(b, a)


@pytest.mark.parametrize(
    ("speakers", "expected"),
    [
        (["Ipek Ozkardeskaya", "Ozkardeskaya"], {"Ipek Ozkardeskaya": "Ipek Ozkardeskaya",
                                                 "Ozkardeskaya": "Ipek Ozkardeskaya"}),
        (["ozkardeskaya", "Ipek Ozkardeskaya", "ipek ozkardeskaya"],
         {"ozkardeskaya": "Ipek Ozkardeskaya", "Ipek Ozkardeskaya": "Ipek Ozkardeskaya",
          "ipek ozkardeskaya": "ipek ozkardeskaya"}),
        (["Tom Lee", "Amy Lee", "Lee"], {"Tom Lee": "Tom Lee", "Amy Lee": "Amy Lee", "Lee": "Lee"}),
        (["Saylor"], {"Saylor": "Saylor"}),
        (["Tom Lee", "Mr. Lee"], {"Tom Lee": "Tom Lee", "Mr. Lee": "Tom Lee"}),
    ],
)
def test_a_bare_surname_takes_the_one_full_name_of_its_article(speakers, expected) -> None:
    assert resolve_speakers(speakers) == expected


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Swissquote", "Swissquote Bank"),
        ("swissquote bank", "SWISSQUOTE"),
        ("Galaxy Digital Holdings Ltd.", "Galaxy Digital"),
        ("The Block", "Block"),
        ("Soci\u00e9t\u00e9 G\u00e9n\u00e9rale", "Societe Generale"),
    ],
)
def test_spellings_of_one_organisation_merge(a: str, b: str) -> None:
    assert same_organization(a, b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Swissquote", "Saxo Bank"),
        ("Galaxy Digital", "Galaxy"),
        ("Deutsche Bank", "Deutsche Boerse"),
        ("Bank", "Bank of America"),
        ("", ""),
    ],
)
def test_different_organisations_do_not_merge(a: str, b: str) -> None:
    assert not same_organization(a, b)


def test_a_suffix_alone_is_a_name() -> None:
    assert org_key("Group") == "group"
    assert org_key("Swissquote Bank Group AG") == "swissquote"


def test_fold_removes_case_accents_and_punctuation() -> None:
    assert fold("  \u0130pek  \u00d6zkarde\u015fkaya! ") == "ipek ozkardeskaya"
    assert fold("'; DROP TABLE quotes; --") == "drop table quotes"
    assert fold(None) == ""


def test_the_fullest_spelling_is_preferred_for_display() -> None:
    names = ["ipek ozkardeskaya", "Ipek Ozkardeskaya", "\u0130pek \u00d6zkarde\u015fkaya", "Ozkardeskaya"]
    assert max(names, key=display_score) == "\u0130pek \u00d6zkarde\u015fkaya"
