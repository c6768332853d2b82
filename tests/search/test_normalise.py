"""One normalising function folds what Japanese readers type the same on both sides of a
search: katakana and hiragana, 全角 and 半角, case, the long-vowel mark, 々 and spaces."""

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reformtracker import textnorm
from reformtracker.textnorm import excerpt, highlight, normalise, search_terms, search_text

HIRAGANA = st.text(alphabet=[chr(c) for c in range(0x3041, 0x3097)], min_size=1, max_size=20)
ASCII = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-/", min_size=1
)


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("ゴミ", "ごみ"),
        ("ｺﾞﾐ", "ごみ"),
        ("週休３日", "週休3日"),
        ("ＤＸ", "dx"),
        ("Dx", "DX"),
        ("サーバ", "サーバー"),
        ("人人", "人々"),
        ("週休 ３日", "週休3日"),
        ("週休　3日", "週休3日"),
    ],
)
def test_what_a_reader_types_folds_to_what_the_document_says(typed, written):
    assert normalise(typed) == normalise(written)


def test_different_words_stay_different():
    assert normalise("委託") != normalise("委任")
    assert normalise("ごみ") != normalise("こみ")  # the dakuten is part of the word


@given(st.text())
def test_normalising_never_raises_and_a_second_pass_changes_nothing(text):
    once = normalise(text)
    assert normalise(once) == once


@given(HIRAGANA)
def test_katakana_folds_to_the_same_as_hiragana(word):
    katakana = "".join(chr(ord(c) + 0x60) for c in word)
    assert normalise(katakana) == normalise(word)


@given(ASCII)
def test_full_width_and_either_case_fold_to_the_same_as_half_width(word):
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in word)
    assert normalise(full_width) == normalise(word.swapcase()) == normalise(word)


@given(HIRAGANA, st.integers(min_value=0, max_value=20))
def test_a_long_vowel_mark_anywhere_folds_away(word, at):
    assert normalise(word[:at] + "ー" + word[at:]) == normalise(word)


@given(st.text(alphabet="山川人時国日", min_size=1, max_size=5))
def test_the_iteration_mark_is_the_character_before_it_written_again(stem):
    assert normalise(stem + "々") == normalise(stem + stem[-1])


@given(st.text(), st.text())
def test_a_search_term_never_spans_two_parts_of_a_stored_text(a, b):
    stored = search_text(a, b)
    assert stored.split("\n") == [normalise(a), normalise(b)]
    assert all("\n" not in term for term in search_terms(a + " " + b))


def test_the_query_is_split_at_spaces_into_words_that_must_all_match():
    assert search_terms("　ゴミ  委託 ゴミ ") == ["ごみ", "委託"]
    assert search_terms("") == [] and search_terms("ー ") == []


def test_a_match_is_marked_in_the_text_as_written_and_everything_else_is_escaped():
    marked = highlight("<b>ゴミ</b>収集の全面委託化", search_terms("ごみ 委託"))
    assert marked == "&lt;b&gt;<mark>ゴミ</mark>&lt;/b&gt;収集の全面<mark>委託</mark>化"
    assert highlight("週休３日制", ["週休3日"]) == "<mark>週休３日</mark>制"
    assert highlight("人々の暮らし", search_terms("人人")) == "<mark>人々</mark>の暮らし"


@given(st.text(max_size=60), st.lists(st.text(min_size=1, max_size=5), max_size=3))
def test_highlighting_keeps_the_text_and_adds_only_marks(text, words):
    marked = str(highlight(text, [normalise(w) for w in words if normalise(w)]))
    plain = marked.replace("<mark>", "").replace("</mark>", "")
    assert plain == str(highlight(text, []))  # the text, escaped, and nothing else
    assert "<" not in plain


def test_an_excerpt_shows_the_match_with_the_text_around_it():
    text = "あ" * 50 + "週休３日制の導入" + "い" * 50
    piece = excerpt(text, search_terms("週休3日"))
    assert "<mark>週休３日</mark>制の導入" in piece
    assert piece.startswith("…") and piece.endswith("…")
    assert excerpt(text, search_terms("委託")) is None


def test_the_fold_is_unicode_nfkc_first():
    # What NFKC folds (e.g. ㈱, ﾊﾝｶｸ) folds here too.
    for text in ("㈱", "ﾊﾝｶｸ", "①"):
        assert normalise(text) == normalise(unicodedata.normalize("NFKC", text))


def _highlight_char_by_char(text: str, terms: list[str]) -> str:
    """The highlight as first written: each character folded and escaped on its own."""
    from django.utils.html import escape

    if not text or not terms:
        return escape(text or "")
    folded, origin, previous = [], [], ""
    for index, char in enumerate(text):
        piece = previous if char == "々" and previous else textnorm._fold_once(char)
        previous = piece or previous
        folded.append(piece)
        origin += [index] * len(piece)
    folded = "".join(folded)
    marked = [False] * len(text)
    for term in terms:
        start = folded.find(term)
        while start != -1:
            for i in origin[start : start + len(term)]:
                marked[i] = True
            start = folded.find(term, start + len(term))
    out, inside = [], False
    for char, on in zip(text, marked, strict=True):
        if on != inside:
            out.append("<mark>" if on else "</mark>")
            inside = on
        out.append(escape(char))
    return "".join(out) + ("</mark>" if inside else "")


@given(
    # With characters that fold to none, to several, or with the one before them (々, a
    # combining mark), and ones that fold one to one (the translated path).
    st.text(
        alphabet=st.sampled_from("ごみゴミ収集週休３3日々人<>&\"' ーｰabcＡＢ㍻ﾊﾟ\u3099ｶ"),
        max_size=40,
    ),
    st.lists(st.text(alphabet=st.sampled_from("ごみゴ収週3日人人<&aＡ"), min_size=1, max_size=3)),
)
def test_highlighting_by_runs_is_what_marking_character_by_character_gave(text, words):
    terms = [normalise(w) for w in words if normalise(w)]
    assert str(highlight(text, terms)) == _highlight_char_by_char(text, terms)


def test_a_title_that_folds_one_to_one_is_marked_as_marking_character_by_character_gave():
    # Each character folds to exactly one: the marks are placed without mapping back.
    title = "ゴミ収集の全面委託化と<委託>の見直し"
    terms = search_terms("ごみ 委託")
    assert textnorm._folded_by_table(title) == (normalise(title), None)
    assert str(highlight(title, terms)) == _highlight_char_by_char(title, terms)
    assert str(highlight(title, terms)).count("<mark>") == 3


def test_a_title_with_characters_that_fold_to_none_or_several_is_mapped_back():
    assert str(highlight("サーバー委託", ["さば"])) == "<mark>サ</mark>ー<mark>バ</mark>ー委託"
    assert str(highlight("㍻の委託", ["平"])) == "<mark>㍻</mark>の委託"
    for title in ("サーバー委託", "人々の暮らし", "㍻の委託", "週休 3日", "データ・システム"):
        terms = search_terms("さーば 人人 委託 平成 週休3 でーたしす")
        assert str(highlight(title, terms)) == _highlight_char_by_char(title, terms)


def test_once_the_table_of_folds_is_full_a_new_character_is_folded_the_slow_way(monkeypatch):
    highlight("委託", ["委託"])
    monkeypatch.setattr(textnorm, "_KEPT_CHARS_MOST", len(textnorm._KEPT_CHARS))
    title = "鰻丼の委託"  # 鰻 and 丼 not kept yet (no other test uses them)
    assert textnorm._folded_by_table(title) is None
    assert str(highlight(title, ["丼の委"])) == "鰻<mark>丼の委</mark>託"
    assert textnorm._folded_by_table("委託") == ("委託", None)  # what is kept still serves
