"""English for the public interface, keyed by the Japanese msgid (the source language).

``python locale/translations_en.py`` writes these into locale/en/LC_MESSAGES/django.po after
``manage.py makemessages -l en``; then ``manage.py compilemessages``. Strings missing here stay
Japanese in the English interface (staff screens mostly).
"""

EN = {
    # choices
    "達成": "Achieved",
    "未達成": "Not achieved",
    "評価対象外": "Not evaluated",
    "年度末": "Year-end",
    "中間": "Interim",
    "公表": "Published",
    "状態": "Status",
    "計画": "Plan",
    "年度": "Fiscal year",
    "時点": "As of",
    "取組項目": "Initiative",
    "評価結果": "Evaluation results",
    "進捗状況": "Progress",
    "備考": "Notes",
    "番号": "No.",
    "名称": "Name",
    "取組番号": "Initiative no.",
    "所管": "Responsible department",
    "目標": "Target",
    "改革レベル": "Reform level",
    "すべて": "All",
    "内容": "Description",
    "問合せ先": "Contact",
    "取組方針": "Policy pillar",
    "分析クラスター": "Analysis cluster",
    "取組内容": "What is done",
    "評価時期": "When evaluated",
    "手法の柱": "Method pillar",
    "Aレベル（現場の業務改善）": "Level A (on-site operational improvement)",
    "B・Cレベル（本質的な課題認識に基づく改革）": "Level B/C (reform from an essential problem definition)",
    "毎年度末に評価": "Evaluated at the end of every fiscal year",
    "%(fy)s末時点で評価": "Evaluated as of the end of %(fy)s",
    "成果": "Outcomes",
    "事務局の振り返り": "The secretariat's review",
    "今後の課題": "Open problems",
    "今年度の進め方": "This year's approach",
    "予定": "Scheduled",
    "開催済": "Held",
    "中止": "Cancelled",
    "上旬": "early",
    "中旬": "mid",
    "下旬": "late",
    "日本語": "Japanese",
    "English": "English",
    # base
    "市政改革の進捗": "City reform progress",
    "市政改革プランの取組項目と達成状況を公開しています。": "The initiatives of city reform plans and how far they have been achieved, as published.",
    "本文へ移動": "Skip to main content",
    "メインメニュー": "Main menu",
    "ホーム": "Home",
    "取組項目をさがす": "Find initiatives",
    "X会議": "X meetings",
    "オープンデータ": "Open data",
    "担当の取組項目": "My initiatives",
    "管理": "Administration",
    "ログイン": "Log in",
    "ログアウト": "Log out",
    "言語": "Language",
    "掲載している数値は、各時点で公表した評価結果に基づきます。": "Figures on this site are the evaluation results as published at each reference date.",
    "オープンデータ（CC BY 4.0）": "Open data (CC BY 4.0)",
    # dashboard
    "達成%(a)s項目 / 評価対象%(e)s項目": "%(a)s achieved / %(e)s evaluated",
    "評価対象の項目数に占める割合": "share of the evaluated items",
    "時点ごとの達成状況（グラフの数値）": "Achievement by reference date (the chart's figures)",
    "取組方針ごとの達成状況（グラフの数値）": "Achievement by policy pillar (the chart's figures)",
    "評価対象": "Evaluated",
    "達成率": "Achievement rate",
    "パンくずリスト": "Breadcrumbs",
    "データの時点": "Data as of",
    "最終更新（公表日）": "Last updated (published)",
    "達成率は「達成」の項目数を評価対象の項目数で割った値です（評価対象外の項目は含みません）。": "The achievement rate is the number of items achieved divided by the number of items evaluated (items not evaluated are left out).",
    "評価対象外の%(n)s項目は、進捗状況は確認しましたが、この時点では評価していません。": [
        "%(n)s item's progress was checked but it was not evaluated at this date.",
        "%(n)s items' progress was checked but they were not evaluated at this date.",
    ],
    "「%(title)s」：%(reason)s": "“%(title)s”: %(reason)s",
    "取組方針ごとの達成状況": "Achievement by policy pillar",
    "年度ごとの推移": "Trend across fiscal years",
    "取組項目ごとの評価結果は公表されていません。": "No item-by-item evaluation results have been published.",
    "未入力": "Not entered",
    "進捗状況を確認した取組項目数": "Items whose progress was checked",
    "項目": " items",
    "%(asof)s現在で評価対象とした取組項目数": "Items evaluated as of the %(asof)s",
    "(注)": " (note)",
    "評価結果が「達成」であった取組項目数": "Items evaluated as “achieved”",
    "評価結果が「未達成」であった取組項目数": "Items evaluated as “not achieved”",
    "達成率(%(a)s項目/%(e)s項目)": "Achievement rate (%(a)s items / %(e)s items)",
    "(注)取組項目「%(title)s」については、%(reason)s": "(Note) The item “%(title)s”: %(reason)s",
    "市政改革プランの進捗状況": "Progress of the city reform plans",
    "各市の改革プランの取組項目と、公表された達成状況をご覧いただけます。": "The initiatives of each city's reform plan and their published achievement.",
    "取組項目をさがす（計画・取組方針・所管・評価結果・年度で絞り込み）": "Find initiatives (filter by plan, pillar, department, result and fiscal year)",
    "取組期間": "Plan period",
    "この取組項目の名称は公表資料に個別の記載がないため、番号で表示しています。": "The published documents do not name this item individually, so it is shown by its number.",
    "年度ごとの評価結果": "Results by fiscal year",
    "結果": "Result",
    "公表日": "Published",
    "公表された評価結果はまだありません。": "No results have been published yet.",
    "関連するX会議": "Related X meetings",
    "第%(n)s回X会議": "X meeting no. %(n)s",
    "公表の履歴": "Publication history",
    "この取組項目を含む公表のすべてです。同じ時点を公表し直した場合は、最新の公表が現在の値になります。": "Every publication that included this item. When a reference date was published again, the newest publication is the current value.",
    "取組項目名（公表時）": "Item name (as published)",
    "所管（公表時）": "Department (as published)",
    "現在の値": "Current value",
    "後の公表で更新": "Superseded by a later publication",
    # browser
    "計画・取組方針・所管・評価結果・年度・改革レベルとキーワードで取組項目を絞り込めます。": "Filter initiatives by plan, pillar, department, result, fiscal year, reform level and keyword.",
    "%(total)s件中 %(first)s〜%(last)s件目を表示": "Showing %(first)s–%(last)s of %(total)s",
    "条件に合う取組項目はありません。": "No initiative matches these filters.",
    "取組項目の一覧": "List of initiatives",
    "計画・取組方針": "Plan and pillar",
    "未公表": "Not published",
    "ページ送り": "Pagination",
    "前へ": "Previous",
    "%(n)s / %(total)sページ": "Page %(n)s of %(total)s",
    "次へ": "Next",
    "キーワード（取組項目名・進捗状況）": "Keyword (item name, progress text)",
    "取組方針・柱": "Pillar",
    "最新の時点": "Latest reference date",
    "絞り込む": "Filter",
    "条件をクリア": "Clear filters",
    # open data page
    "公表済みの評価結果を機械判読可能な形式で提供しています。ライセンス：%(name)s（出典を明記のうえ自由に利用できます）。": "Published evaluation results in machine-readable form. Licence: %(name)s (free to use with attribution).",
    "ライセンスの内容": "Licence text",
    "計画ごとの達成状況（JSON）": "Achievement per plan (JSON)",
    "plans.json の項目": "Fields of plans.json",
    "計画の識別子": "Plan identifier",
    "年度（西暦の開始年。2024 = 令和6年度）": "Fiscal year (the calendar year it starts in; 2024 = Reiwa 6)",
    "時点（ISO 8601 の日付）": "Reference date (ISO 8601)",
    "進捗状況を確認した項目数／評価対象とした項目数": "Items checked / items evaluated",
    "達成／未達成／評価対象外の項目数": "Items achieved / not achieved / not evaluated",
    "達成率（達成÷評価対象、小数第1位で四捨五入した文字列。評価対象が0のときは null）": "Achievement rate (achieved ÷ evaluated, rounded half-up to one decimal, as a string; null when nothing was evaluated)",
    # pillar / plan
    "進捗管理": "Progress managed through",
    "この取組方針は「%(body)s」により進捗管理されており、取組項目ごとの達成状況は市政改革室の集計に含まれません。": "This pillar's progress is managed through “%(body)s”; its items are not part of the reform office's count.",
    "取組状況（%(asof)s）": "Progress (as of %(asof)s)",
    "%(fy)sの分析対象：%(count)sクラスター": "Analysed in %(fy)s: %(count)s clusters",
    "取組項目と評価結果": "Initiatives and results",
    "達成%(a)s項目 / 評価対象%(e)s項目（評価対象外%(x)s項目）": "%(a)s achieved / %(e)s evaluated (%(x)s not evaluated)",
    "%(asof)sの評価結果": "Results as of %(asof)s",
    "主な取組": "Main initiatives",
    "取組": "Initiative",
    "策定": "Adopted",
    "目標の達成状況（%(asof)s）": "Achievement of targets (as of %(asof)s)",
    "ウェブサイトに掲載できるバッジ": "A badge for your website",
    "掲載用のHTML": "HTML to embed",
    "取組の柱": "Pillars",
    "柱ごとの達成状況": "Achievement by pillar",
    "振り返りと今後の進め方": "Review and next steps",
    "この計画の取組項目をさがす": "Find this plan's initiatives",
    "X会議の開催予定と議題": "X meetings: dates and topics",
    "スケジュール": "Schedule",
    # meetings
    "X会議の開催日程と議題": "X meetings: dates and topics",
    "公開のX会議の開催日（予定を含む）、議題、資料の一覧です。": "Dates (including planned ones), topics and materials of the public X meetings.",
    "各局区による改革案磨き上げの場として、公開のX会議で市民への開かれた議論を行っています。日付が「上旬・中旬・下旬」の回は予定で、日程が確定したら更新します。": "Bureaus and wards refine their reform proposals in public X meetings, open to residents. Meetings dated “early / mid / late” a month are planned; the date is updated once fixed.",
    "年間スケジュール": "Yearly schedule",
    "開催日程": "Meeting dates",
    "回": "No.",
    "開催日": "Date",
    "状況": "Status",
    "議題": "Topics",
    "資料": "Materials",
    "第%(n)s回": "No. %(n)s",
    "開催予定": "Upcoming",
    "これまでのX会議で議論したテーマ": "Themes discussed at past X meetings",
    "%(fy)sの取組スケジュール（行：X会議と各取組、列：月）": "Schedule for %(fy)s (rows: X meetings and each pillar; columns: months)",
    "区分": "Row",
    "期間": "Period",
    # share cards (og:image) and their alt text (evaluations/cards.py)
    # ASCII quotes: the font's curly ones are full-width, too wide beside Latin text on a card.
    "%(municipality)s「%(title)s」": '%(municipality)s "%(title)s"',
    "%(asof)sの達成率": "Achievement rate, %(asof)s",
    "%(asof)s：%(counts)s": "%(asof)s: %(counts)s",
    "%(plan)s：公表された評価結果はまだありません。": "%(plan)s: no results have been published yet.",
    "%(plan)sの達成率は%(asof)sで%(rate)s（%(counts)s）です。": "%(plan)s: achievement rate %(rate)s as of %(asof)s (%(counts)s).",
    "%(plan)sの最新の達成率と項目数": "%(plan)s: the latest achievement rate and item counts",
    "市政改革の進捗：計画ごとの最新の達成率": "City reform progress: the latest achievement rate of each plan",
    "%(site)s：%(plans)s": "%(site)s: %(plans)s",
    "ほか%(n)s計画": ["and %(n)s more plan", "and %(n)s more plans"],
    # public history, open data page (language-of-parts test's former CATALOGUE_GAPS)
    "変更履歴": "Change history",
    "変更履歴はまだありません。": "No changes recorded yet.",
    "公表された版の履歴です。": "The versions that were published.",
    "職員向けの表示です。公表前の変更を含むすべての変更を表示しています。": (
        "Staff view: every change, including those not yet published."
    ),
    "日時": "Date and time",
    "操作": "Action",
    "操作者": "By",
    "コメント": "Comment",
    "変更内容（変更前 → 変更後）": "Changes (before → after)",
    "変更内容": "Changes",
    "公表（訂正）": "Published (correction)",
    "第%(v)s版": "version %(v)s",
    "評価対象外の理由・備考": "Reason for not evaluating / notes",
    "評価結果 CSV": "Evaluation results (CSV)",
    "計画・年度ごとの評価結果（CSV・JSON）": "Evaluation results by plan and fiscal year (CSV, JSON)",
    "取組項目ごとの評価結果を、公表した時点の内容（名称・所管も公表時のもの）で提供します。"
    "後から内容が修正されても、公表済みの時点のファイルは変わりません。"
    "CSV は UTF-8（BOM 付き）で、Excel でそのまま開けます。": (
        "The evaluation result of each initiative as published at each point in time (names "
        "and departments as they were then). Later corrections never change the file of a "
        "published point in time. The CSV is UTF-8 with a BOM, so Excel opens it directly."
    ),
    "公表済みの評価結果はまだありません": "No evaluation results have been published yet",
    "results.csv / results.json の列（この順序と名前は変えません。列を加えるときは末尾に加えます）": (
        "Columns of results.csv / results.json (their order and names never change; new "
        "columns are added at the end)"
    ),
    "列": "Column",
    "results.json はこのほか、licence（ライセンス）、attribution（出典表記の例）、"
    "summary（評価結果 1〜5 の数値）、pillars（取組方針ごとの数値）を含みます。": (
        "results.json also holds licence, attribution (an example credit line), summary (the "
        "figures of evaluation results 1–5) and pillars (the figures of each policy pillar)."
    ),
}


def main():
    from pathlib import Path

    import polib

    path = Path(__file__).parent / "en" / "LC_MESSAGES" / "django.po"
    po = polib.pofile(str(path))
    for entry in po:
        value = EN.get(entry.msgid)
        if value is None:
            continue
        if entry.msgid_plural:
            singular, plural = value if isinstance(value, list) else (value, value)
            entry.msgstr_plural = {0: singular, 1: plural}
        else:
            entry.msgstr = value
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    po.metadata["Language"] = "en"
    po.metadata["Plural-Forms"] = "nplurals=2; plural=(n != 1);"
    po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    po.save(str(path))
    missing = [k for k in EN if not any(e.msgid == k for e in po)]
    print(f"{len(EN) - len(missing)} translated; not in the catalogue: {missing}")


if __name__ == "__main__":
    main()
