"""Language of parts (JIS X 8341-3:2016 AA, WCAG 2.0 SC 3.1.2) on the English pages.

Much of what the English pages show is stored in Japanese only: initiative titles, 進捗状況 and
取組内容, pillar names of a publication, departments without an English name, meeting topics.
Each such text is inside an element with lang="ja", so a screen reader reads it with a Japanese
voice; English text (the catalogue's, the ``*_en`` fields) is not, and the Japanese pages are
left as they were.
"""

import re
from html.parser import HTMLParser

import pytest
from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from evaluations.labels import JAPANESE, month_span
from evaluations.models import PublishedResult
from evaluations.templatetags.public_tags import ja, ja_attr
from initiatives.models import AnalysisCluster, Department, Initiative, Pillar
from tests.constants import KITAKYUSHU, OSAKA
from xmeetings.models import Meeting, MeetingMaterial, MeetingTopic

pytestmark = pytest.mark.django_db

# Every public page type, with the stored text each one shows.
PAGES = [
    "/",
    f"/plans/{OSAKA}/",
    f"/plans/{OSAKA}/pillars/1/",  # managed elsewhere: description, 進捗管理, narratives
    f"/plans/{OSAKA}/pillars/2/",  # the publication's results, pillar name without English
    f"/plans/{OSAKA}/initiatives/2-1/",  # target, 進捗状況, the published history
    f"/plans/{OSAKA}/initiatives/6-5/",  # excluded: its reason, 評価時期, no English department
    f"/plans/{KITAKYUSHU}/",  # subtitle, summary, 振り返りと今後の進め方
    f"/plans/{KITAKYUSHU}/pillars/1/",  # the initiatives of a pillar without a publication
    f"/plans/{KITAKYUSHU}/initiatives/K-A-1/",  # 取組内容, 改革レベル, 分析クラスター
    "/initiatives/",
    f"/initiatives/?plan={OSAKA}&department=__environment__",
    "/meetings/",
    f"/meetings/{KITAKYUSHU}/schedule/",
    "/open-data/",
]

# UI strings the English catalogue (locale/en/LC_MESSAGES/django.po) has no translation for
# yet. They are not stored text: the fix is to translate them, not to mark them Japanese, and
# each one goes from this list when it is translated. Empty: every public string is translated.
CATALOGUE_GAPS: tuple[str, ...] = ()

# Not text in the page's body: the document's <title> and an SVG chart's <title> (its
# accessible name as a whole: it cannot hold markup), scripts and styles.
NOT_BODY_TEXT = {"title", "script", "style"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


class TextNodes(HTMLParser):
    """Each text node of a page with the nearest ``lang`` of its ancestors and their tags."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None]] = []
        self.nodes: list[tuple[str, str | None, tuple[str, ...]]] = []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append((tag, dict(attrs).get("lang")))

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, -1, -1):
            if self.stack[depth][0] == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        if data.strip():
            lang = next((lang for _, lang in reversed(self.stack) if lang is not None), None)
            self.nodes.append((data, lang, tuple(tag for tag, _ in self.stack)))


def text_nodes(html: str):
    parser = TextNodes()
    parser.feed(html)
    parser.close()
    return [node for node in parser.nodes if not NOT_BODY_TEXT.intersection(node[2])]


def japanese_outside_ja(html: str) -> list[str]:
    unmarked = []
    for text, lang, _ in text_nodes(html):
        rest = text
        for gap in sorted(CATALOGUE_GAPS, key=len, reverse=True):
            rest = rest.replace(gap, "")
        if JAPANESE.search(rest) and lang != "ja":
            unmarked.append(" ".join(text.split()))
    return unmarked


def lang_of(html: str, text: str) -> set[str | None]:
    """The languages the page gives each text node that contains ``text``."""
    found = {lang for node, lang, _ in text_nodes(html) if text in node}
    assert found, f"{text!r} is not on the page"
    return found


@pytest.fixture
def japanese_only(seeded):
    """Stored text without an English form, beyond what the seed already has: a department and
    a pillar without English names, a meeting's topic and material, an analysis cluster."""
    environment = Department.objects.get(name="環境局")
    Department.objects.filter(pk=environment.pk).update(name_en="")
    Pillar.objects.filter(plan__slug=OSAKA, order=2).update(name_en="")
    item = Initiative.objects.get(plan__slug=KITAKYUSHU, code="K-A-1")
    item.cluster = AnalysisCluster.objects.create(
        plan=item.plan, fiscal_year=2024, code="C-1", name="文化施設クラスター"
    )
    item.save()
    meeting = Meeting.objects.filter(plan__slug=KITAKYUSHU).first()
    MeetingTopic.objects.create(
        plan=meeting.plan, fiscal_year=meeting.fiscal_year, meeting=meeting, name="公共施設"
    )
    MeetingMaterial.objects.create(
        meeting=meeting, title="資料1 公共施設マネジメント", url="https://example.jp/1.pdf"
    )
    return environment


def _en(url: str) -> str:
    return f"/en{url}"


@pytest.mark.parametrize("url", PAGES)
def test_every_japanese_text_on_an_english_page_is_marked_japanese(client, japanese_only, url):
    url = url.replace("__environment__", str(japanese_only.pk))
    response = client.get(_en(url))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert japanese_outside_ja(html) == []


def test_the_initiative_browsers_htmx_fragment_marks_its_own_japanese_text(client, japanese_only):
    fragment = client.get(
        f"/en/initiatives/?plan={OSAKA}", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"
    ).content.decode()
    assert "<html" not in fragment
    assert japanese_outside_ja(fragment) == []
    assert lang_of(fragment, "官民連携プラットフォームの構築・運用") == {"ja"}


def test_the_english_pages_do_show_stored_japanese_text_and_mark_it(client, japanese_only):
    osaka = client.get(f"/en/plans/{OSAKA}/").content.decode()
    # An excluded item's title and reason, in the headline's list and under the 1–5 table.
    assert lang_of(osaka, "令和9年度末時点で評価を実施のため、評価対象外。") == {"ja"}
    # A pillar name without English: its table row, its chart's label and data table.
    assert lang_of(osaka, "官民連携の推進") == {"ja"}
    assert re.search(r'<text [^>]*class="chart-label" lang="ja">2 官民連携の推進</text>', osaka)
    # A published pillar narrative, on its block.
    assert re.search(r'<p class="narrative" lang="ja">令和6年度においては', osaka)
    item = client.get(f"/en/plans/{OSAKA}/initiatives/6-5/").content.decode()
    assert lang_of(item, "環境負荷の低減に係る取組の推進") == {"ja"}  # h1 and breadcrumbs
    assert '<dd><span lang="ja">環境局</span></dd>' in item
    assert '<td><span lang="ja">令和6年度末時点</span></td>' in item  # the history's 時点
    browser = client.get("/en/initiatives/").content.decode()
    assert f'<option value="{japanese_only.pk}" lang="ja">環境局</option>' in browser
    meetings = client.get("/en/meetings/?when=held").content.decode()  # all held by today
    assert lang_of(meetings, "公共施設") == {"ja"}
    assert lang_of(meetings, "資料1 公共施設マネジメント") == {"ja"}


def test_english_text_from_the_english_fields_is_not_marked_japanese(client, japanese_only):
    Initiative.objects.filter(plan__slug=OSAKA, code="2-1").update(
        title_en="Basic policy on outsourcing"
    )
    item = client.get(f"/en/plans/{OSAKA}/initiatives/2-1/").content.decode()
    assert "<h1>Basic policy on outsourcing</h1>" in item
    assert lang_of(item, "Basic policy on outsourcing") == {"en"}
    assert lang_of(item, "Office of Administrative Reform") == {"en"}  # its department
    assert lang_of(item, "New Administrative Reform Plan") == {"en"}  # the plan, breadcrumbs
    browser = client.get("/en/initiatives/").content.decode()
    assert lang_of(browser, "Basic policy on outsourcing") == {"en"}
    assert '<option value="osaka-shin-shisei-kaikaku">' in browser  # an English plan name
    home = client.get("/en/").content.decode()
    assert lang_of(home, "Osaka City") == {"en"}


def test_the_japanese_pages_mark_nothing_and_keep_their_text(client, japanese_only):
    for url in PAGES:
        html = client.get(url.replace("__environment__", str(japanese_only.pk))).content
        html = html.decode()
        # The page itself, and the switcher's links (日本語 and English), and nothing else.
        langs = re.findall(r"<(\w+)[^>]*\slang=\"(\w+)\"", html)
        assert langs == [("html", "ja"), ("a", "ja"), ("a", "en")], url
        assert '<span lang="ja">' not in html
    item = client.get(f"/plans/{OSAKA}/initiatives/6-5/").content.decode()
    assert "<h1>環境負荷の低減に係る取組の推進</h1>" in item
    assert "<dd>令和9年度末時点で評価</dd>" in item
    assert "<td>令和9年度末時点で評価を実施のため、評価対象外。</td>" in item
    schedule = client.get(f"/meetings/{KITAKYUSHU}/schedule/").content.decode()
    assert "期間：5月〜6月</span>" in schedule


def test_the_switchers_japanese_link_says_it_is_japanese(client, seeded):
    html = client.get("/en/").content.decode()
    assert re.search(r'<a href="/" lang="ja" hreflang="ja">日本語</a>', html)


def test_html_in_stored_text_stays_text(client, seeded):
    item = Initiative.objects.get(plan__slug=OSAKA, code="2-1")
    Initiative.objects.filter(pk=item.pk).update(title='<i>取組</i> & "委託"')
    PublishedResult.objects.filter(initiative=item).update(
        narrative="<script>alert(1)</script>進捗 &amp; 状況", reason="<b>備考</b>"
    )
    html = client.get(f"/en/plans/{OSAKA}/initiatives/2-1/").content.decode()
    assert '<h1><span lang="ja">&lt;i&gt;取組&lt;/i&gt; &amp; &quot;委託&quot;</span></h1>' in html
    assert (
        '<td class="narrative" lang="ja">&lt;script&gt;alert(1)&lt;/script&gt;'
        "進捗 &amp;amp; 状況</td>"
    ) in html
    assert '<td><span lang="ja">&lt;b&gt;備考&lt;/b&gt;</span></td>' in html
    assert "<script>alert" not in html
    assert "<b>備考" not in html


# --- the helpers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["ひらがな", "カタカナ", "漢字", "ー", "々", "ｶﾀｶﾅ", "ＡＢＣ１", "𠮷野家", "Plan 取組 A"],
)
def test_japanese_script_is_kana_ideographs_and_full_width_letters(text):
    assert JAPANESE.search(text)


@pytest.mark.parametrize(
    "text", ["Reform", "Café – naïve", "「」、。・（）：〜", "FY2024–FY2027", "—", ""]
)
def test_punctuation_and_latin_text_are_not_japanese(text):
    assert not JAPANESE.search(text)


def test_ja_wraps_japanese_text_in_a_japanese_span_on_english_pages_only():
    with translation.override("en"):
        assert ja("取組") == '<span lang="ja">取組</span>'
        assert isinstance(ja("取組"), SafeString)
        assert ja("<b>取組</b> & co") == '<span lang="ja">&lt;b&gt;取組&lt;/b&gt; &amp; co</span>'
        assert ja(mark_safe("一行目<br>二行目")) == '<span lang="ja">一行目<br>二行目</span>'
        english = "Public-private partnership"
        assert ja(english) is english
        assert ja(None) is None
        assert ja(12) == 12
    with translation.override("ja"):
        japanese = "<b>取組</b>"
        assert ja(japanese) is japanese  # escaped by the template as before


def test_ja_after_linebreaksbr_keeps_the_breaks_and_escapes_the_text_once():
    template = Template("{% load public_tags %}{{ text|linebreaksbr|ja }}")
    with translation.override("en"):
        html = template.render(Context({"text": "一行目 & <二行目>\n三行目"}))
    assert html == '<span lang="ja">一行目 &amp; &lt;二行目&gt;<br>三行目</span>'


def test_ja_attr_marks_an_element_when_any_of_its_values_is_japanese():
    template = Template("{% load public_tags %}<option{% ja_attr a b %}>{{ a }} {{ b }}</option>")
    with translation.override("en"):
        assert ja_attr("Osaka City", "新・市政改革プラン") == ' lang="ja"'
        assert ja_attr("Osaka City", "New plan") == ""
        assert template.render(Context({"a": "Osaka City", "b": "改革"})) == (
            '<option lang="ja">Osaka City 改革</option>'
        )
    with translation.override("ja"):
        assert ja_attr("改革") == ""


def test_month_span_writes_a_schedule_activitys_months_in_english():
    with translation.override("en"):
        assert month_span("5月〜6月") == "May–June"
        assert month_span("7月〜12月以降") == "July–December onwards"
        assert month_span("12月以降") == "December onwards"
        assert month_span("年度末") == "年度末"
    with translation.override("ja"):
        assert month_span("5月〜6月") == "5月〜6月"


def test_the_history_table_marks_comments_actors_and_values_for_staff_in_english():
    row = {
        "at": None,
        "action": "Returned",
        "actor": "環境局 山田",
        "round_label": "令和6年度末時点",
        "version": None,
        "changes": [{"label": "Progress", "before": "旧\n<b>", "after": "New text"}],
        "comment": "修正してください\n<再提出>",
    }
    with translation.override("en"):
        html = render_to_string(
            "evaluations/_history_table.html", {"rows": [row], "show_actor": True}
        )
    assert '<td><span lang="ja">環境局 山田</span></td>' in html
    assert '<span class="before" lang="ja">旧<br>&lt;b&gt;</span>' in html
    assert '<span class="after">New text</span>' in html
    assert '<span lang="ja">修正してください<br>&lt;再提出&gt;</span>' in html
    assert japanese_outside_ja(html) == []
