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


def test_a_bounded_memo_reads_and_keeps_many_at_once_in_the_same_order_of_use():
    kept = memos.Bounded(3)
    kept.put_many([("a", 1), ("b", 2), ("c", 3)])
    assert kept.get_many(["a", "x", "b"]) == {"a": 1, "b": 2}  # a, then b, now the newest
    kept.put_many([("d", 4)])  # c, the least recently used, goes
    assert kept.get_many(["a", "b", "c", "d"]) == {"a": 1, "b": 2, "d": 4}
    kept.put_many([("e", 5), ("f", 6), ("g", 7), ("h", 8)])  # more than it holds at once
    assert len(kept) == 3 and kept.get_many("efgh") == {"f": 6, "g": 7, "h": 8}


def test_a_memo_bounded_in_bytes_lets_the_least_recently_used_go_until_both_bounds_hold():
    kept = memos.Bounded(10, max_bytes=10)
    kept.put_many([("a", "xxxx"), ("b", "yyyy")])
    assert kept.get("a") == "xxxx"  # b is now the least recently used
    kept.put("c", "zzzz")  # 12 bytes: b goes
    assert kept.get_many("abc") == {"a": "xxxx", "c": "zzzz"}
    kept.put("a", "x")  # replaced: weighs 1 now
    kept.put("d", "wwww")  # 1 + 4 + 4 = 9
    assert len(kept) == 3
    kept.put("e", "v" * 11)  # heavier than the bound: goes at once, with everything older
    assert len(kept) == 0
    kept.put("f", "ff")
    memos.clear()
    assert len(kept) == 0
    kept.put("g", "g" * 10)  # the weight was emptied with the entries
    assert kept.get("g") == "g" * 10


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
