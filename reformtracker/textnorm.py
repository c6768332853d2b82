"""Search text as Japanese readers type it: one normalising function for both sides.

A visitor types 「ゴミ」 for an item titled 「ごみ収集」, 「週休３日」 for 「週休3日」, 「サーバ」 for
「サーバー」, 「ＤＸ」 or 「dx」 for 「DX」, 「人人」 for 「人々」. ``normalise`` folds all of these to
one form; the browser stores each searchable text normalised (``search_text`` columns, written
whenever the text is) and normalises the query the same way, so a match is a plain substring
test the database can index.

The stored columns were filled by migrations with this function: changing what it folds means a
migration that fills them again.
"""

from __future__ import annotations

import html
import re
import unicodedata

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from reformtracker import memos

# Katakana ァ (U+30A1) … ヶ (U+30F6) are hiragana ぁ (U+3041) … ゖ (U+3096) shifted by 0x60.
_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}
# The long-vowel mark and its look-alikes after NFKC (ｰ becomes ー): 「サーバー」 = 「サーバ」.
_LONG_VOWEL = {ord("ー"): None}
_ITERATION = "々"  # 「人々」 = 「人人」: the mark repeats the character before it
_SPACE = re.compile(r"\s+")
# A query longer than any text worth searching is cut (the filter's bound).
QUERY_MAX_LENGTH = 100
QUERY_MAX_TERMS = 5


def _fold_once(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _SPACE.sub("", text).translate(_LONG_VOWEL).translate(_KATAKANA_TO_HIRAGANA)
    if _ITERATION in text:
        out: list[str] = []
        for char in text:
            out.append(out[-1] if char == _ITERATION and out else char)
        text = "".join(out)
    return text


def normalise(text: str) -> str:
    """``text`` folded for search: NFKC (全角英数 → 半角, ｶﾅ → カナ), case-folded, katakana as
    hiragana, without spaces or long-vowel marks, 々 written out. Idempotent: a second pass
    changes nothing (a fold can bring a base and its combining mark together, so it runs until
    nothing changes; twice is the most any text has needed)."""
    text = text or ""
    for _ in range(4):
        folded = _fold_once(text)
        if folded == text:
            break
        text = folded
    return text


def search_terms(query: str) -> list[str]:
    """The query's words (split at spaces, 全角 or 半角), each normalised; at most
    QUERY_MAX_TERMS, every one must match."""
    words = (normalise(w) for w in _SPACE.split(unicodedata.normalize("NFKC", query or "")))
    terms = []
    for word in words:
        if word and word not in terms:
            terms.append(word[:QUERY_MAX_LENGTH])
    return terms[:QUERY_MAX_TERMS]


def search_text(*parts: str) -> str:
    """What a ``search_text`` column holds: each part normalised, one per line (a term, which
    never holds a line break, cannot match across two parts)."""
    return "\n".join(normalise(part) for part in parts)


# One character folded, kept per process: a page of search results folds every character of
# twenty titles (a pure function of the character).
_fold_char = memos.lru(8192)(_fold_once)


def _folded_with_positions(text: str) -> tuple[str, list[int]]:
    """``text`` folded character by character, and for each folded character the index of the
    character of ``text`` it came from (to mark a match in the text as written)."""
    folded: list[str] = []
    origin: list[int] = []
    previous = ""
    for index, char in enumerate(text):
        piece = previous if char == _ITERATION and previous else _fold_char(char)
        previous = piece or previous
        folded.append(piece)
        origin += [index] * len(piece)
    return "".join(folded), origin


# Each character's fold, kept per process for ``str.translate`` (a title folded in one call
# rather than character by character): which characters fold to none (a space, ー) and which to
# several (㍻). Bounded: once the table is full, a text with a character not yet kept is folded
# the slow way, so no thread translates with a table emptied under it.
_FOLDS: dict[int, str] = {}
_DROPPED: set[str] = set()
_SEVERAL: set[str] = {_ITERATION}  # (々 folds to its neighbour's fold: the slow way)
_KEPT_CHARS: set[str] = set()
_KEPT_CHARS_MOST = 65_536
memos.register(lambda: (_KEPT_CHARS.clear(), _FOLDS.clear(), _DROPPED.clear()))


def _folded_by_table(text: str) -> tuple[str, list[int] | None] | None:
    """``text`` folded, and for each folded character the index of the character it came from
    (None when each folds to exactly one, so a place in the folded text is the same place in
    ``text``): ``_folded_with_positions`` through the table, for a text whose characters fold
    to one or to none. None for any other (and for a character the full table lacks)."""
    if not _KEPT_CHARS.issuperset(text):
        new = set(text).difference(_KEPT_CHARS)
        if len(_KEPT_CHARS) + len(new) > _KEPT_CHARS_MOST:
            return None
        for char in new:
            piece = _fold_char(char)
            if len(piece) != 1:
                (_DROPPED if not piece else _SEVERAL).add(char)
            _FOLDS[ord(char)] = piece
            _KEPT_CHARS.add(char)  # last: a kept character has its fold
    if not _SEVERAL.isdisjoint(text):
        return None
    folded = text.translate(_FOLDS)
    if _DROPPED.isdisjoint(text):
        return folded, None
    return folded, [i for i, char in enumerate(text) if char not in _DROPPED]


def highlight(text: str, terms: list[str]) -> SafeString:
    """``text`` HTML-escaped, with each place a term matches wrapped in <mark>."""
    if not text or not terms:
        return escape(text or "")
    by_table = _folded_by_table(text)
    if by_table is None:
        return _highlight_unevenly(text, terms)
    folded, origin = by_table
    spans = []  # (start, end) in ``text`` of the marked characters
    for term in terms:
        start = folded.find(term)
        while start != -1:
            end = start + len(term)
            if origin is None:
                spans.append((start, end))
            else:
                # The characters the match came from: runs, broken where one folded to none
                # (「サーバ」 for 「さば」 marks サ and バ, not ー).
                first = last = origin[start]
                for index in origin[start + 1 : end]:
                    if index > last + 1:
                        spans.append((first, last + 1))
                        first = index
                    last = index
                spans.append((first, last + 1))
            start = folded.find(term, end)
    if not spans:
        return escape(text)
    # Overlapping or touching runs make one, each escaped at once (html.escape: what Django's
    # escape() calls, without its check for lazy text on every run).
    spans.sort()
    out, done = [], 0
    run_start, run_end = spans[0]
    for start, end in [*spans[1:], (len(text) + 1, len(text) + 1)]:
        if start <= run_end:
            run_end = max(run_end, end)
            continue
        out.append(html.escape(text[done:run_start]))
        out.append(f"<mark>{html.escape(text[run_start:run_end])}</mark>")
        done, run_start, run_end = run_end, start, end
    out.append(html.escape(text[done:]))
    return SafeString("".join(out))


def _highlight_unevenly(text: str, terms: list[str]) -> SafeString:
    """``highlight`` for a text whose folding moves characters: each folded character mapped
    back to the character it came from."""
    folded, origin = _folded_with_positions(text)
    marked = [False] * len(text)
    for term in terms:
        start = folded.find(term)
        while start != -1:
            for i in origin[start : start + len(term)]:
                marked[i] = True
            start = folded.find(term, start + len(term))
    # Each run of marked or unmarked characters escaped at once (escaping is character by
    # character, so the same text).
    out, start = [], 0
    for end in range(1, len(text) + 1):
        if end == len(text) or marked[end] != marked[start]:
            run = escape(text[start:end])
            out.append(f"<mark>{run}</mark>" if marked[start] else run)
            start = end
    return mark_safe("".join(out))


def excerpt(text: str, terms: list[str], width: int = 30) -> SafeString | None:
    """A short piece of ``text`` around its first match, highlighted; None when none matches."""
    if not text or not terms:
        return None
    folded, origin = _folded_with_positions(text)
    hits = [folded.find(t) for t in terms]
    hits = [h for h in hits if h != -1]
    if not hits:
        return None
    at = origin[min(hits)]
    start, end = max(0, at - width), min(len(text), at + width)
    piece = highlight(text[start:end], terms)
    return mark_safe(("…" if start else "") + piece + ("…" if end < len(text) else ""))
