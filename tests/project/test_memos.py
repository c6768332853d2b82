"""Every process memo is registered with reformtracker.memos, so one clear() empties them all."""

import pytest

from evaluations import published
from reformtracker import memos


def test_clear_empties_lru_memos_and_stores():
    @memos.lru(maxsize=8)
    def square(n):
        return n * n

    kept = memos.store()
    square(3)
    kept["key"] = "value"
    memos.clear()
    assert square.cache_info().currsize == 0
    assert kept == {}


def test_a_bounded_memo_lets_the_least_recently_used_go_first_and_clear_empties_it():
    kept = memos.Bounded(2)
    kept.put("a", 1)
    kept.put("b", 2)
    assert kept.get("a") == 1  # now the most recently used
    kept.put("c", 3)
    assert (kept.get("a"), kept.get("b"), kept.get("c")) == (1, None, 3)
    assert len(kept) == 2
    memos.clear()
    assert len(kept) == 0 and kept.get("a") is None


@pytest.mark.django_db
def test_clear_makes_the_publication_fingerprint_be_read_again(settings, django_assert_num_queries):
    settings.PUBLIC_PAGE_FINGERPRINT_SECONDS = 60
    memos.clear()
    with django_assert_num_queries(1):
        published.publication_fingerprint()
    with django_assert_num_queries(0):
        published.publication_fingerprint()  # kept for a minute
    memos.clear()
    with django_assert_num_queries(1):
        published.publication_fingerprint()


def test_no_module_keeps_a_functools_memo_outside_the_registry():
    # A bare lru_cache would survive memos.clear() and leak rolled-back ids between tests.
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = []
    for package in ("reformtracker", "initiatives", "evaluations", "xmeetings"):
        for path in (root / package).rglob("*.py"):
            if path.name == "memos.py" or "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.module == "functools":
                    names = {alias.name for alias in node.names}
                    if names & {"cache", "lru_cache"}:
                        offenders.append(f"{path.relative_to(root)}:{node.lineno}")
    assert not offenders, "use reformtracker.memos.lru instead: " + ", ".join(offenders)
