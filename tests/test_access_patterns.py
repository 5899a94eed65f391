"""Every access pattern of docs/data-model.md has its own moto test in tests/db/.

A test names the patterns it covers in its name (`test_ap14_...`, `test_ap4_ap5_...`) or its
docstring (`"AP14: the card and its newest feed entries in one Query."`, ranges such as
`AP28-30` or `AP33-AP37` included). The check fails on a pattern no test names, and on a test
naming a pattern the document does not have (a stale reference).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_MODEL = ROOT / "docs" / "data-model.md"
REPOSITORY_TESTS = ROOT / "tests" / "db"

# A row of the access-pattern table: `| AP14 | a contact's card ... |`.
_ROW = re.compile(r"^\|\s*AP(\d+)\s*\|", re.MULTILINE)
# `AP14`, `AP28-30`, `AP33-AP37` (hyphen or en dash) in a docstring.
_IN_TEXT = re.compile(r"\bAP(\d+)(?:\s*[-\u2013]\s*(?:AP)?(\d+))?\b")
# `ap14` as a word of a test's name: `test_ap4_ap5_find_user`.
_IN_NAME = re.compile(r"(?:^|_)ap(\d+)(?=_|$)", re.IGNORECASE)


def documented() -> set[int]:
    """The access patterns the document's table defines."""
    return {int(n) for n in _ROW.findall(DATA_MODEL.read_text(encoding="utf-8"))}


def named_in_text(text: str) -> set[int]:
    found: set[int] = set()
    for first, last in _IN_TEXT.findall(text):
        start = int(first)
        found.update(range(start, int(last) + 1) if last and int(last) > start else [start])
    return found


def named_in_name(name: str) -> set[int]:
    return {int(n) for n in _IN_NAME.findall(name)}


def repository_tests() -> Iterator[tuple[str, set[int]]]:
    """(module::test name, the access patterns it names) for every test function of tests/db/."""
    for path in sorted(REPOSITORY_TESTS.rglob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test"):
                named = named_in_name(node.name) | named_in_text(ast.get_docstring(node) or "")
                yield f"{path.relative_to(ROOT)}::{node.name}", named


def test_the_pattern_syntax_is_understood() -> None:
    assert named_in_text("AP14: a card. AP28-30 and AP33-AP37; AP4/AP5, not MAP9 nor AP1x") == {
        14, 28, 29, 30, 33, 34, 35, 36, 37, 4, 5,
    }  # fmt: skip
    assert named_in_name("test_ap4_ap5_find_user_by_email") == {4, 5}
    assert named_in_name("test_map4_gap5_ap6x") == set()
    assert len(documented()) > 50


def test_every_access_pattern_has_a_repository_test_and_none_is_stale() -> None:
    patterns = documented()
    covered: set[int] = set()
    stale: list[str] = []
    for test, named in repository_tests():
        covered |= named
        stale += [f"{test} names AP{n}" for n in sorted(named - patterns)]
    missing = [f"AP{n}" for n in sorted(patterns - covered)]
    assert not missing, f"access patterns of docs/data-model.md no tests/db test names: {', '.join(missing)}"
    assert not stale, "tests naming access patterns docs/data-model.md does not have:\n" + "\n".join(stale)
