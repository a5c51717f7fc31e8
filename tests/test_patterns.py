"""Every pattern file loads, and ids and aliases are unique where they must be."""

from collections import Counter

import pytest

from extractor.patterns import load_jsonl, load_yaml, patterns_dir, patterns_hash

JSONL = ["exchanges.jsonl", "assets.jsonl", "providers.jsonl", "media.jsonl"]
YAML = ["roles.yaml", "speech.yaml", "liquidations.yaml", "price_moves.yaml"]


def test_every_pattern_file_is_listed():
    names = {p.name for p in patterns_dir().iterdir() if p.suffix in {".jsonl", ".yaml", ".yml"}}
    assert set(JSONL) | set(YAML) <= names


@pytest.mark.parametrize("name", JSONL)
def test_jsonl_rows(name):
    rows = load_jsonl(name)
    assert rows
    ids = Counter(r["id"] for r in rows)
    assert [i for i, n in ids.items() if n > 1] == []
    for row in rows:
        assert set(row) <= {"id", "name", "aliases", "case_sensitive", "normalised", "not_before"}
        assert row["name"] and isinstance(row.get("aliases", []), list)


def test_no_alias_names_two_things():
    owners: dict[str, set[str]] = {}
    for name in JSONL:
        for row in load_jsonl(name):
            for alias in row.get("aliases", []) + [row["name"]]:
                owners.setdefault(alias.lower(), set()).add(f"{name}:{row['id']}")
    clashes = {a: o for a, o in owners.items() if len(o) > 1}
    assert clashes == {}


@pytest.mark.parametrize("name", YAML)
def test_yaml_word_lists_are_strings(name):
    data = load_yaml(name)

    def walk(value, path):
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, f"{path}/{k}")
        elif isinstance(value, list):
            bad = [v for v in value if not isinstance(v, str)]
            assert bad == [], f"{name}{path}: YAML turned {bad} into non-strings (quote them)"

    walk(data, "")


def test_hash_is_stable():
    assert patterns_hash() == patterns_hash()
    assert len(patterns_hash()) == 12


def test_aliases_with_abbreviation_points_match(nlp):
    from extractor.nlp.pipeline import analyse_text

    found = analyse_text(nlp, "T\n\nCreditors of the defunct Mt. Gox exchange and of Gate.io were repaid.")["exchanges"]
    assert {e["name"] for e in found} == {"Mt. Gox", "Gate.io"}
