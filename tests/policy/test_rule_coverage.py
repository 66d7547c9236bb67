"""Every rule id is documented in docs/policy.md and exercised by some test under tests/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).parents[2]
DOCS = REPO / "docs" / "policy.md"
POLICY_BRIEF = REPO.parent / "shared" / "POLICY.md"
TESTS = REPO / "tests"
RULE_ID = re.compile(r"R-K[RZ]-[A-Z]+-\d+(?!\d)")


def _table_ids() -> list[str]:
    """Rule ids from the first cell of the table rows of docs/policy.md."""
    ids = []
    for line in DOCS.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and RULE_ID.fullmatch(cells[0]):
            ids.append(cells[0])
    return ids


def _ids_mentioned_in_tests() -> set[str]:
    this = Path(__file__).resolve()
    return {
        rule
        for path in TESTS.rglob("*.py")
        if path.resolve() != this
        for rule in RULE_ID.findall(path.read_text(encoding="utf-8"))
    }


def test_docs_table_has_one_row_per_rule() -> None:
    ids = _table_ids()
    assert ids, "no rule rows found in docs/policy.md"
    duplicates = sorted({rule for rule in ids if ids.count(rule) > 1})
    assert not duplicates, f"rules with more than one row: {duplicates}"


def test_every_documented_rule_is_tested() -> None:
    missing = sorted(set(_table_ids()) - _ids_mentioned_in_tests())
    assert not missing, f"rules in docs/policy.md that no test mentions: {missing}"


def test_docs_table_matches_the_policy_brief() -> None:
    if not POLICY_BRIEF.exists():
        pytest.skip(f"{POLICY_BRIEF} is absent (CI places shared/ beside the repository)")
    brief_ids = set(RULE_ID.findall(POLICY_BRIEF.read_text(encoding="utf-8")))
    table_ids = set(_table_ids())
    assert not brief_ids - table_ids, f"rules missing from docs/policy.md: {brief_ids - table_ids}"
    assert not table_ids - brief_ids, f"unknown rules in docs/policy.md: {table_ids - brief_ids}"
    untested = sorted(brief_ids - _ids_mentioned_in_tests())
    assert not untested, f"rules of POLICY.md that no test mentions: {untested}"
