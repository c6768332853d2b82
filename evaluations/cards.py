"""Share cards (og:image): a 1200×630 PNG of one plan's headline figure, or of every plan's.

Social networks and LINE do not show SVG as og:image, so the cards are PNG, drawn with Pillow (a
well-kept imaging library that WeasyPrint already installs) in the font bundled for the reports
(``evaluations.reports.typesetting.FONT_FILE``, ``REPORT_FONT_FILE`` to override), never a system font:
a card looks the same on every server, and a character the font lacks is replaced before drawing
rather than shown as a missing-glyph box.

The figures come from the same boards as the pages (``evaluations.boards.plan_data``
and ``dashboards``) and are shown by the same rule (``Summary.rate_display``) with the same msgids,
so a card never disagrees with the page it illustrates. A card is built as a list of ``Text``
(``Card.lines()`` is what a test or the og:image:alt sentence reads) and only then drawn.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from django.utils.translation import gettext, ngettext

from evaluations import identity, provenance
from evaluations.labels import asof, localised
from evaluations.rates import EMPTY
from evaluations.reports.typesetting import FONT_FILE
from reformtracker import memos
from reformtracker.display import is_english, language

if TYPE_CHECKING:  # Pillow loads when a card is drawn, not when the URLconf imports this module
    from PIL import Image, ImageFont

WIDTH, HEIGHT = 1200, 630
MARGIN = 64
BAND = 96  # the header band with the site name

# The site's colours (static/css/site.css): every text pair is above WCAG AA's 4.5:1.
BACKGROUND = "#ffffff"
FOREGROUND = "#1a1a1a"  # 17.4:1 on white
MUTED = "#414141"  # 10.4:1 on white
ACCENT = "#0031d8"  # 8.6:1 on white; white on it the same
ON_ACCENT = "#ffffff"
RULE = "#949494"  # a divider, not text (3:1 on white, as for graphics)

SITE_SUBTITLE = "reformtracker"
MISSING_GLYPH = "〓"  # 下駄記号: the Japanese convention for a character that cannot be shown


@dataclass(frozen=True)
class Text:
    """One line as drawn: ``anchor`` is Pillow's (``la`` left/ascender, ``rs`` right/baseline…)."""

    text: str
    x: int
    y: int
    size: int
    fill: str
    background: str
    anchor: str = "la"


@dataclass
class Card:
    texts: list[Text] = field(default_factory=list)
    boxes: list[tuple[tuple[int, int, int, int], str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        """Every text drawn, top to bottom."""
        return [t.text for t in self.texts]

    def image(self) -> Image.Image:
        from PIL import Image, ImageDraw

        image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
        draw = ImageDraw.Draw(image)
        for box, fill in self.boxes:
            draw.rectangle(box, fill=fill)
        for t in self.texts:
            draw.text((t.x, t.y), t.text, font=_font(t.size), fill=t.fill, anchor=t.anchor)
        return image

    def png(self) -> bytes:
        buffer = io.BytesIO()
        self.image().save(buffer, "PNG", optimize=True)
        return buffer.getvalue()


# --- the font ----------------------------------------------------------------------------------


def font_file() -> Path:
    """The reports' font file: one setting (``REPORT_FONT_FILE``) for PDF and cards alike."""
    return Path(FONT_FILE)


@memos.lru(maxsize=64)
def _font(size: int) -> ImageFont.FreeTypeFont:
    from PIL import ImageFont

    # BASIC layout: CJK and Latin need no shaping, and the result does not depend on whether
    # this Pillow build found libraqm.
    return ImageFont.truetype(str(font_file()), size, layout_engine=ImageFont.Layout.BASIC)


@memos.lru(maxsize=1)
def font_characters() -> frozenset[int]:
    """The code points the font has a glyph for (its cmap)."""
    from fontTools.ttLib import TTFont

    with TTFont(str(font_file()), lazy=True) as font:
        return frozenset(font.getBestCmap())


def drawable(text: str) -> str:
    """``text`` with what the font cannot show replaced: control characters by spaces, others by
    their NFKC form when the font has that (™ → TM), else by 〓. Plan titles are typed by staff,
    so a character outside JIS X 0208 (𠮷) must not become a missing-glyph box."""
    have = font_characters()
    out = []
    for ch in text:
        if ch in "\t\r\n" or unicodedata.category(ch) == "Cc":
            out.append(" ")
        elif ord(ch) in have:
            out.append(ch)
        else:
            folded = unicodedata.normalize("NFKC", ch)
            out.append(folded if all(ord(c) in have for c in folded) else MISSING_GLYPH)
    return "".join(out)


def text_width(text: str, size: int) -> float:
    """How wide ``text`` is drawn at ``size`` px."""
    return _font(size).getlength(text)


# --- line breaking -----------------------------------------------------------------------------

# A run of printable ASCII (a word with its punctuation) breaks as one; anything else (kana,
# kanji) may break after any character, as Japanese text does.
_TOKENS = re.compile(r"[!-~]+|\s+|.")
# 行頭禁則: characters that may not start a line.
_NO_START = set(
    "、。，．・：；？！ー…‥」』）］｝〕〉》】”’ぁぃぅぇぉっゃゅょァィゥェォッャュョ,.:;!?)]}%％"
)


def wrap(text: str, size: int, width: int) -> list[str]:
    """Greedy line breaking of ``text`` at ``size`` px into lines at most ``width`` px wide."""
    lines: list[str] = []
    line = ""
    for token in _TOKENS.findall(text):
        if not line and token.isspace():
            continue
        if text_width(line + token, size) <= width:
            line += token
            continue
        if token.isspace():
            lines.append(line.rstrip())
            line = ""
            continue
        if line.strip():
            if token[0] in _NO_START and len(line) > 1 and not line[-1].isspace():
                # Carry the last character over with the mark (追い出し).
                lines.append(line[:-1].rstrip())
                line = line[-1]
            else:
                lines.append(line.rstrip())
                line = ""
        for ch in token:  # what is still too wide (a long word) breaks by character
            if line and text_width(line + ch, size) > width:
                lines.append(line)
                line = ""
            line += ch
    if line.strip():
        lines.append(line.rstrip())
    return lines


def ellipsize(text: str, size: int, width: int, cut: bool = False) -> str:
    """``text``, cut with 「…」 when it is wider than ``width`` (or when ``cut``)."""
    if not cut and text_width(text, size) <= width:
        return text
    while text and text_width(text.rstrip() + "…", size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def fit(text: str, width: int, largest: int, smallest: int, max_lines: int) -> tuple[int, list]:
    """The largest size (in steps of 4 px) at which ``text`` fits ``max_lines`` lines; at the
    smallest, the last line is cut with 「…」."""
    size = largest
    while True:
        lines = wrap(text, size, width)
        if len(lines) <= max_lines or size - 4 < smallest:
            break
        size -= 4
    if len(lines) > max_lines:
        rest = "".join(lines[max_lines - 1 :])
        lines = [*lines[: max_lines - 1], ellipsize(rest, size, width, cut=True)]
    return size, lines


def _shrink(text: str, width: int, largest: int, smallest: int) -> int:
    """The largest size at which ``text`` fits on one line (never below ``smallest``)."""
    size = largest
    while size > smallest and text_width(text, size) > width:
        size -= 4
    return size


# --- what a card says ---------------------------------------------------------------------------


def site_name() -> str:
    return identity.site_name()


def plan_label(plan) -> str:
    """「大阪市「新・市政改革プラン」」 / 'Osaka City "New Administrative Reform Plan…"'."""
    return gettext("%(municipality)s「%(title)s」") % {
        "municipality": localised(plan.municipality, "name"),
        "title": localised(plan, "title"),
    }


def counts(summary) -> str:
    """「達成19項目 / 評価対象23項目」 / "19 achieved / 23 evaluated", the plan page's msgid."""
    return gettext("達成%(a)s項目 / 評価対象%(e)s項目") % {
        "a": summary.achieved,
        "e": summary.evaluated,
    }


def no_results() -> str:
    return gettext("公表された評価結果はまだありません。")


def rate_heading(publication) -> str:
    """「令和6年度末時点の達成率」 / "Achievement rate, end of FY2024"."""
    return gettext("%(asof)sの達成率") % {"asof": asof(publication.round)}


def plan_sentence(board: dict) -> str:
    """The card of ``board`` as one sentence, for og:image:alt."""
    plan, publication = board["plan"], board["publication"]
    if publication is None:
        return gettext("%(plan)s：公表された評価結果はまだありません。") % {
            "plan": plan_label(plan)
        }
    summary = board["summary"]
    return gettext("%(plan)sの達成率は%(asof)sで%(rate)s（%(counts)s）です。") % {
        "plan": plan_label(plan),
        "asof": asof(publication.round),
        "rate": summary.rate_display(language()),
        "counts": counts(summary),
    }


def plan_alt(plan, board: dict | None = None) -> str:
    """og:image:alt of a plan's card: with its figures when the page has ``board`` at hand,
    otherwise what the card shows, in words (reading the figures would cost the page queries)."""
    if board:
        return plan_sentence(board)
    return gettext("%(plan)sの最新の達成率と項目数") % {"plan": plan_label(plan)}


def site_alt(boards: list[dict] | None = None) -> str:
    """og:image:alt of the site card, with every plan's figures when the page has them."""
    if not boards:
        return gettext("市政改革の進捗：計画ごとの最新の達成率")
    joiner = " " if is_english() else ""
    return gettext("%(site)s：%(plans)s") % {
        "site": site_name(),
        "plans": joiner.join(plan_sentence(b) for b in boards),
    }


# --- layout ----------------------------------------------------------------------------------


def _header(card: Card) -> None:
    card.boxes.append(((0, 0, WIDTH, BAND), ACCENT))
    middle = BAND // 2
    card.texts.append(
        Text(drawable(site_name()), MARGIN, middle, 40, ON_ACCENT, ACCENT, anchor="lm")
    )
    card.texts.append(
        Text(SITE_SUBTITLE, WIDTH - MARGIN, middle, 28, ON_ACCENT, ACCENT, anchor="rm")
    )


def plan_card(board: dict) -> Card:
    """One plan: municipality, title, 時点, headline rate and counts (or「まだありません」)."""
    plan, publication = board["plan"], board["publication"]
    summary = board.get("summary") or EMPTY
    card = Card()
    _header(card)
    inner = WIDTH - 2 * MARGIN

    municipality = drawable(localised(plan.municipality, "name"))
    card.texts.append(Text(municipality, MARGIN, 132, 36, MUTED, BACKGROUND))
    size, lines = fit(drawable(localised(plan, "title")), inner, 64, 40, 2)
    y = 186
    for line in lines:
        card.texts.append(Text(line, MARGIN, y, size, FOREGROUND, BACKGROUND))
        y += round(size * 1.2)
    card.boxes.append(((MARGIN, 346, WIDTH - MARGIN, 347), RULE))

    if publication is None:
        message = drawable(no_results())
        size = _shrink(message, inner, 44, 24)
        card.texts.append(Text(message, MARGIN, 420, size, FOREGROUND, BACKGROUND))
        return card
    heading = drawable(rate_heading(publication))
    size = _shrink(heading, inner, 36, 24)
    card.texts.append(Text(heading, MARGIN, 366, size, MUTED, BACKGROUND))
    rate = drawable(summary.rate_display(language()))
    size = _shrink(rate, inner, 128, 64)
    card.texts.append(Text(rate, MARGIN, 524, size, ACCENT, BACKGROUND, anchor="ls"))
    figures = drawable(counts(summary))
    size = _shrink(figures, inner, 40, 24)
    card.texts.append(Text(figures, MARGIN, 560, size, FOREGROUND, BACKGROUND))
    source = provenance.card_line(plan, publication)
    if source:
        # Where the figures come from (the city's release, or illustrative results added up).
        source = ellipsize(drawable(source), 22, inner)
        card.texts.append(Text(source, MARGIN, 604, 22, MUTED, BACKGROUND))
    return card


SITE_ROWS = 4


def site_card(boards: list[dict]) -> Card:
    """Every plan, one row each: its name, 時点 and counts, and its headline rate."""
    card = Card()
    _header(card)
    heading = drawable(gettext("市政改革プランの進捗状況"))
    card.texts.append(Text(heading, MARGIN, 128, 44, FOREGROUND, BACKGROUND))
    shown = boards if len(boards) <= SITE_ROWS else boards[: SITE_ROWS - 1]
    rows = len(shown) + (len(boards) > len(shown))
    top, bottom = 200, HEIGHT - 32
    height = min(128, (bottom - top) // max(rows, 1))
    name_size, detail_size, rate_size = (40, 28, 56) if height >= 112 else (32, 24, 44)
    y = top
    for board in shown:
        card.boxes.append(((MARGIN, y, WIDTH - MARGIN, y), RULE))
        publication, summary = board["publication"], board.get("summary") or EMPTY
        rate = drawable(summary.rate_display(language()))
        rate_width = round(text_width(rate, rate_size))
        middle = y + height // 2
        room = WIDTH - 2 * MARGIN - rate_width - 40
        name = drawable(plan_label(board["plan"]))
        size = _shrink(name, room, name_size, name_size - 8)
        name = ellipsize(name, size, room)
        card.texts.append(Text(name, MARGIN, middle - 4, size, FOREGROUND, BACKGROUND, anchor="ls"))
        card.texts.append(
            Text(rate, WIDTH - MARGIN, middle, rate_size, ACCENT, BACKGROUND, anchor="rm")
        )
        if publication is None:
            detail = no_results()
        else:
            detail = gettext("%(asof)s：%(counts)s") % {
                "asof": asof(publication.round),
                "counts": counts(summary),
            }
        detail = ellipsize(drawable(detail), detail_size, room)
        card.texts.append(Text(detail, MARGIN, middle + 8, detail_size, MUTED, BACKGROUND))
        y += height
    if len(boards) > len(shown):
        more = len(boards) - len(shown)
        text = drawable(ngettext("ほか%(n)s計画", "ほか%(n)s計画", more) % {"n": more})
        card.boxes.append(((MARGIN, y, WIDTH - MARGIN, y), RULE))
        card.texts.append(
            Text(text, MARGIN, y + height // 2, name_size, MUTED, BACKGROUND, anchor="lm")
        )
    return card
