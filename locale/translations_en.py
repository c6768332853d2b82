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
    "BCレベル（本質的な課題認識に基づく改革）": "Level B/C (reform from an essential problem definition)",
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
    # 「24項目」 in the 1–5 table: a unit after a count; alone, a column heading.
    ("count unit", "項目"): " items",
    "項目": "Item",
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
    # --- staff side: everything below is for the Reform Office and department staff ---
    # admin site and app names
    "reformtracker 管理": "reformtracker administration",
    "市政改革の進捗管理": "City reform progress management",
    "評価・公表": "Evaluation and publication",
    "計画・取組項目": "Plans and initiatives",
    "X会議・スケジュール": "X meetings and schedules",
    "評価": "Evaluation",
    # choices: update rounds, answers, departments, dates
    "受付中": "Open",
    "締切": "Closed",
    "未着手": "Not started",
    "入力中": "In progress",
    "提出済": "Submitted",
    "差戻し": "Returned",
    "確認済": "Confirmed",
    "局": "Bureau",
    "区": "Ward",
    "室": "Office",
    "その他": "Other",
    "年": "Year",
    "月": "Month",
    "日": "Day",
    "旬": "Ten-day period",
    "指定年度末から評価": "Evaluated from the end of a given fiscal year",
    "リンク": "Link",
    "ファイル": "File",
    "はい": "Yes",
    "いいえ": "No",
    # history: action labels (evaluations/history.py; the first five double as workflow
    # actions in evaluations/workflow.py)
    "更新": "Updated",
    "編集": "Edited",
    "提出": "Submitted",
    "確認": "Confirmed",
    "根拠資料の追加": "Evidence added",
    "根拠資料の削除": "Evidence removed",
    "照会の開始": "Update round opened",
    "照会の締切": "Update round closed",
    "取組項目の登録": "Initiative created",
    "取組項目の変更": "Initiative changed",
    "取組項目の削除": "Initiative deleted",
    "計画の登録": "Plan created",
    "計画の変更": "Plan changed",
    "計画の削除": "Plan deleted",
    "柱の登録": "Pillar created",
    "柱の変更": "Pillar changed",
    "柱の削除": "Pillar deleted",
    ("history action", "照会票の取込"): "Imported from an update sheet",
    # model and field names (admin): update rounds, answers, evidence, publications, history
    "照会": "Update round",
    "照会（更新ラウンド）": "Update round",
    "照会を開始・締切・公表できる": "Can open, close and publish update rounds",
    "種別": "Type",
    "年度末の照会では年度の最終日（3月31日）。": "For a year-end round, the last day of the fiscal year (31 March).",
    "提出期限": "Due date",
    "作成日時": "Created at",
    "回答": "Answer",
    "照会の回答": "Update round answer",
    "担当の回答を入力・提出できる": "Can enter and submit their department's answers",
    "回答を確認・差戻しできる": "Can confirm and return answers",
    "市政改革室へのコメント": "Comment to the Reform Office",
    "差戻し・確認のコメント": "Reviewer's comment (return or confirmation)",
    "版": "Version",
    "更新日時": "Updated at",
    "更新者": "Updated by",
    "柱": "Pillar",
    "取組状況": "Work done",
    "今後の方向性": "Next steps",
    "分析クラスター数": "Number of analysis clusters",
    "例：R6年度は37クラスター": "e.g. 37 clusters in FY2024 (Reiwa 6)",
    "柱の年度別取組状況": "Pillar progress by fiscal year",
    "公表日時": "Published at",
    "公表者": "Published by",
    "公表（時点）": "Publication",
    "進捗管理の枠組み": "Progress management framework",
    "取組項目ごとに進捗管理": "Progress tracked item by item",
    "公表時の柱": "Pillar as published",
    "表示順": "Display order",
    "公表時の評価結果": "Evaluation result as published",
    "操作者名": "By (name)",
    "対象の種類": "Subject type",
    "対象のID": "Subject ID",
    "対象": "Subject",
    "根拠資料": "Evidence",
    "URL": "URL",
    "保存先": "Storage path",
    "ファイル名": "File name",
    "形式": "Format",
    "サイズ（バイト）": "Size (bytes)",
    "登録日時": "Added at",
    "登録者": "Added by",
    "削除日時": "Removed at",
    "削除者": "Removed by",
    # model and field names (admin): municipalities, departments, plans, pillars, initiatives
    "識別子": "Identifier",
    "英語名": "English name",
    "自治体": "Municipality",
    "所属コード": "Department code",
    "改革事務局": "Reform secretariat",
    "市政改革室・市政変革室など。所属する職員は自治体の全計画を確認・公表できます。": (
        "The Reform Office, the City Transformation Office and the like. Its staff can confirm "
        "and publish every plan of the municipality."
    ),
    "所属（局・区・室）": "Department (bureau, ward, office)",
    "ユーザー": "User",
    "所属": "Department",
    "所属職員": "Department member",
    "副題": "Subtitle",
    "取組期間（開始年度）": "Plan period (first fiscal year)",
    "取組期間（終了年度）": "Plan period (last fiscal year)",
    "終了年度が定められていない場合は空欄。": "Leave blank if no last fiscal year has been set.",
    "策定日": "Adopted on",
    "策定日の精度": "Precision of the adoption date",
    "「令和6年3月」のように月までしか公表されていない場合は「月」。": (
        "“Month” when only the month was published (as in “March 2024 (Reiwa 6)”)."
    ),
    "概要": "Summary",
    "出典資料": "Source document",
    "出典URL": "Source URL",
    "説明": "Description",
    "例：大阪市DX戦略、大阪市働き方改革実施方針、区政がめざす姿（令和5年度~8年度）": (
        "e.g. Osaka City DX Strategy, Osaka City Work-Style Reform Policy, "
        "Vision for Ward Administration (FY2023–2026)"
    ),
    "進捗管理の所属": "Department managing progress",
    "市政改革室が取組項目ごとに進捗管理する": "The Reform Office tracks progress item by item",
    "オンの柱の取組項目だけが達成率の計算対象になります。": (
        "Only the initiatives of pillars with this switched on count towards the achievement rate."
    ),
    "柱（取組方針）": "Pillar",
    "初回評価年度": "First fiscal year evaluated",
    "例：令和9年度末時点で評価する取組は 2027。それより前の年度は評価対象外です。": (
        "e.g. 2027 for an initiative first evaluated as of the end of FY2027 (Reiwa 9). "
        "Earlier fiscal years are not evaluated."
    ),
    "名称・結果は例示": "Name and results are illustrative",
    "公表資料に個別の名称や結果がなく、デモ用に補った取組項目。": (
        "The published documents give no individual name or result for this initiative; "
        "they were filled in for the demo."
    ),
    "見出し": "Heading",
    "本文": "Body",
    "振り返り・方針": "Review and approach",
    # model and field names (admin): X meetings and schedules
    "例：5/23、5月23日、7月上旬、8月中旬、10月下旬（年は年度から決まります）": (
        "e.g. 5/23, 5月23日, 7月上旬 (early July), 8月中旬 (mid August), 10月下旬 (late "
        "October); the year follows from the fiscal year"
    ),
    "開催日（最早）": "Date (earliest)",
    "開催日（最遅）": "Date (latest)",
    "関連する取組項目": "Related initiatives",
    "どの回で議論したかが公表されていない場合は空欄。": (
        "Leave blank if it was not published at which meeting this was discussed."
    ),
    "テーマ": "Theme",
    "X会議のテーマ": "X meeting theme",
    "資料名": "Title of the material",
    "X会議の資料": "X meeting material",
    "最初の列の月": "Month of the first column",
    "「以降」とまとめる月": "Month from which columns are merged (“onwards”)",
    "例：12 とすると 12月から年度末までを「12月以降」の1列にまとめます。": (
        "e.g. 12 puts December to the end of the fiscal year into one column, “December onwards”."
    ),
    "X会議の行": "X meetings row",
    "スケジュールの行": "Schedule row",
    "開始月": "Start month",
    "終了月": "End month",
    "期日": "Milestone date",
    "期日の表記": "Milestone label",
    "例：年度末": "e.g. 年度末 (year-end)",
    "スケジュールの活動": "Schedule activity",
    # validation: models (uniqueness and consistency)
    "この計画には同じ時点の照会が既にあります。": "This plan already has an update round as of this date.",
    "この年度の年度末照会は既にあります。": "This fiscal year already has a year-end update round.",
    "年度末の照会の時点は%(day)sです。": "A year-end update round is as of %(day)s.",
    "時点は%(fy)sの期間内にしてください。": "The “as of” date must fall within %(fy)s.",
    "この取組項目の回答はこの照会に既にあります。": "This update round already has an answer for this initiative.",
    "取組項目は照会と同じ計画のものを選んでください。": "Choose an initiative of the update round's plan.",
    "この柱のこの年度の取組状況は既にあります。": "This pillar already has its progress for this fiscal year.",
    "根拠資料はリンクかファイルのどちらか一方です。": "Evidence is either a link or a file, not both.",
    "この自治体には同じ所属コードが既にあります。": "This municipality already has a department with this code.",
    "この職員は既にこの所属に登録されています。": "This staff member is already registered in this department.",
    "終了年度は開始年度以降にしてください。": "The last fiscal year cannot be before the first.",
    "開始年度が正しくありません。": "The first fiscal year is not valid.",
    "%(fy)sは計画「%(plan)s」の取組期間（%(period)s）の外です。": (
        "%(fy)s is outside the period of the plan “%(plan)s” (%(period)s)."
    ),
    "この計画には同じ番号の柱が既にあります。": "This plan already has a pillar with this number.",
    "柱の番号は1以上にしてください。": "The pillar number must be 1 or more.",
    "この年度には同じ番号のクラスターが既にあります。": "This fiscal year already has a cluster with this number.",
    "この計画には同じ取組番号が既にあります。": "This plan already has an initiative with this number.",
    "「指定年度末から評価」には初回評価年度が必要です。": (
        "“Evaluated from the end of a given fiscal year” needs the first fiscal year evaluated."
    ),
    "柱は同じ計画のものを選んでください。": "Choose a pillar of the same plan.",
    "所管は計画と同じ自治体の所属を選んでください。": (
        "Choose a responsible department of the plan's municipality."
    ),
    "分析クラスターは同じ計画のものを選んでください。": "Choose an analysis cluster of the same plan.",
    "同じ年度・種別に同じ番号の項目が既にあります。": (
        "This fiscal year and type already have an item with this number."
    ),
    "この年度には同じ回のX会議が既にあります。": "This fiscal year already has an X meeting with this number.",
    "開催日は「日」か「上旬・中旬・下旬」のどちらか一方で指定してください。": (
        "Give the date either as a day or as early, mid or late in the month, not both."
    ),
    "月は1から12で指定してください。": "The month must be from 1 to 12.",
    "回は1以上にしてください。": "The meeting number must be 1 or more.",
    "開催日を入力してください。": "Enter the date.",
    "開催日は%(fy)sの期間内にしてください。": "The date must fall within %(fy)s.",
    "この年度には同じテーマが既にあります。": "This fiscal year already has this theme.",
    "X会議と同じ年度にしてください。": "Use the same fiscal year as the X meeting.",
    "この年度のスケジュールは既にあります。": "This fiscal year already has a schedule.",
    "最初の列より後の月にしてください。": "Choose a month after the first column's.",
    "同じ表示順の行が既にあります。": "A row with this display order already exists.",
    "同じ表示順の活動が既にあります。": "An activity with this display order already exists.",
    "終了月は開始月以降（年度内の順）にしてください。": (
        "The end month cannot be before the start month (in fiscal-year order)."
    ),
    "期日はスケジュールの年度内にしてください。": (
        "The milestone date must fall within the schedule's fiscal year."
    ),
    "「%(title)s」には照会の回答または公表済みの評価結果があるため削除できません。": (
        "“%(title)s” cannot be deleted: it has update round answers or published evaluation "
        "results."
    ),
    # validation and workflow: answers, evidence, rounds (services.py, workflow.py, forms)
    "「評価対象外」には理由を入力してください。": "Enter a reason for “Not evaluated”.",
    "ほかの人がこの回答を先に更新しました。内容を確認してから、もう一度保存してください。": (
        "Someone else updated this answer first. Check the changes, then save again."
    ),
    "この照会は締め切られているため、変更できません。": (
        "This update round is closed, so nothing can be changed."
    ),
    "確認済になっていない回答が%(count)d件あるため公表できません。": (
        "Cannot publish: %(count)d answer(s) not confirmed yet."
    ),
    "評価結果が未入力の回答が%(count)d件あるため公表できません。": (
        "Cannot publish: %(count)d answer(s) without an evaluation result."
    ),
    "この回答を操作する権限がありません。": "You do not have permission to act on this answer.",
    "評価結果を選んでから提出してください。": "Choose an evaluation result before submitting.",
    "差戻しの理由をコメントに入力してください。": "Enter the reason for returning in the comment.",
    "対象の回答を選んでください。": "Select the answers to act on.",
    "この照会を操作する権限がありません。": "You do not have permission to act on this update round.",
    "この計画の照会を開始する権限がありません。": (
        "You do not have permission to open an update round for this plan."
    ),
    "この回答の根拠資料を変更する権限がありません。": (
        "You do not have permission to change this answer's evidence."
    ),
    "「%(state)s」の回答の根拠資料は変更できません。": (
        "The evidence of an answer that is “%(state)s” cannot be changed."
    ),
    "リンクかファイルのどちらか一方を指定してください。": "Give a link or a file (one, not both).",
    "この根拠資料を操作する権限がありません。": "You do not have permission to act on this evidence.",
    "この根拠資料は既に削除されています。": "This evidence has already been removed.",
    "この操作を行う権限がありません。": "You do not have permission to do this.",
    "「%(state)s」の回答には「%(action)s」を行えません。": (
        "An answer with the status “%(state)s” cannot be marked “%(action)s”."
    ),
    "%(limit_value)d文字以内で入力してください（現在%(show_value)d文字）。": (
        "Enter at most %(limit_value)d characters (now %(show_value)d)."
    ),
    "（未選択）": "(none selected)",
    "リンク（URL）": "Link (URL)",
    "http:// または https:// で始まるURLを入力してください。": (
        "Enter a URL starting with http:// or https://."
    ),
    "一括操作": "Bulk action",
    "確認済にする": "Mark as confirmed",
    "差し戻す": "Return",
    "コメント（差戻しの場合は必須）": "Comment (required when returning)",
    "選択された回答が正しくありません。": "The selected answers are not valid.",
    # evidence uploads (evaluations/evidence.py)
    "ファイルが大きすぎます（%(size)s）。%(limit)sまでのファイルを選んでください。": (
        "The file is too large (%(size)s). Choose a file of up to %(limit)s."
    ),
    "このファイル形式（.%(ext)s）は登録できません。登録できる形式：%(allowed)s": (
        "Files of this type (.%(ext)s) cannot be added. Types allowed: %(allowed)s"
    ),
    "ファイルの中身が拡張子（.%(ext)s）と一致しません。%(label)sのファイルを選んでください。": (
        "The file's content does not match its extension (.%(ext)s). Choose a %(label)s file."
    ),
    # update sheet import (evaluations/workbooks/); the workbook's own labels stay Japanese
    "ファイルが空です。": "The file is empty.",
    "ファイルが大きすぎます（%(size)s、上限 %(limit)dMB）。": (
        "The file is too large (%(size)s; the limit is %(limit)d MB)."
    ),
    "Excel 97-2003 形式（.xls）またはパスワード付きのファイルは読み込めません。パスワードを外し、.xlsx 形式で保存し直してください。": (
        "Files in Excel 97-2003 format (.xls) or protected by a password cannot be read. "
        "Remove the password and save the file again as .xlsx."
    ),
    "%(kind)sのファイルです。Excel で .xlsx 形式（Excel ブック）として保存してください。": (
        "This file is %(kind)s. Save it in Excel as .xlsx (Excel Workbook)."
    ),
    "Excel ブック（.xlsx）ではありません。照会票の .xlsx ファイルを選んでください。": (
        "This is not an Excel workbook (.xlsx). Choose the update sheet's .xlsx file."
    ),
    "ファイルが壊れています（ZIP 形式として読めません）。保存し直してください。": (
        "The file is damaged (it cannot be read as a ZIP archive). Save it again."
    ),
    "ファイル内の要素が多すぎます（%(count)d 個）。": "The file has too many parts (%(count)d).",
    "暗号化されたファイルは読み込めません。": "Encrypted files cannot be read.",
    "展開後のサイズが大きすぎる要素があります（%(name)s）。": (
        "A part of the file is too large once unpacked (%(name)s)."
    ),
    "圧縮率が異常に高い要素があります（%(name)s）。zip 爆弾の疑いがあるため読み込みません。": (
        "A part of the file is compressed abnormally well (%(name)s). It may be a zip bomb, "
        "so the file is not read."
    ),
    "展開後の合計サイズが大きすぎます（%(size)s）。": (
        "The file is too large once unpacked (%(size)s in total)."
    ),
    "Excel ブック（.xlsx）の構成ではありません（%(name)s がありません）。": (
        "The file is not laid out as an Excel workbook (.xlsx): %(name)s is missing."
    ),
    "マクロを含むブックは読み込めません。.xlsx 形式で保存し直してください。": (
        "Workbooks with macros cannot be read. Save it again as .xlsx."
    ),
    "ファイルが壊れています（%(name)s を展開できません）。": (
        "The file is damaged (%(name)s cannot be unpacked)."
    ),
    "XML に DOCTYPE・実体宣言が含まれています（%(name)s）。安全のため読み込みません。": (
        "The XML contains a DOCTYPE or entity declaration (%(name)s). For safety, the file is "
        "not read."
    ),
    "HTML・XML 形式（「Web ページ」や「XML スプレッドシート」として保存したもの）": (
        "HTML or XML (saved as “Web Page” or “XML Spreadsheet”)"
    ),
    "CSV・タブ区切りテキスト": "CSV or tab-separated text",
    "テキスト": "plain text",
    "XML に実体宣言が含まれているため、安全のため読み込みません。": (
        "The XML contains an entity declaration, so for safety the file is not read."
    ),
    "Excel ブックとして読み込めません（%(kind)s）。保存し直してください。": (
        "The file cannot be read as an Excel workbook (%(kind)s). Save it again."
    ),
    "照会票の「%(sheet)s」シートがありません。このシステムから出力した照会票を使ってください。": (
        "The update sheet has no “%(sheet)s” sheet. Use an update sheet exported from this system."
    ),
    "この照会の照会票を取り込む権限がありません。": (
        "You do not have permission to import update sheets for this update round."
    ),
    "取り込む行がありません。": "There are no rows to import.",
    "照会票の様式ではありません（「様式」欄が %(id)s ではありません）。": (
        "This is not an update sheet (its “様式” (form) field is not %(id)s)."
    ),
    "計画ID「%(id)s」の計画はありません。": "There is no plan with the plan ID “%(id)s”.",
    "計画「%(plan)s」に時点 %(day)s の照会はありません。別の照会・別の計画の照会票ではありませんか。": (
        "The plan “%(plan)s” has no update round as of %(day)s. Is this the update sheet of "
        "another round or another plan?"
    ),
    "この照会（%(round)s）は締め切られているため、取り込めません。": (
        "This update round (%(round)s) is closed, so nothing can be imported."
    ),
    "見出し「%(name)s」の列がありません。": "There is no column headed “%(name)s”.",
    "見出し行（回答ID・版・評価結果…）が見つかりません。": (
        "The header row (回答ID, 版, 評価結果 …) was not found."
    ),
    "回答ID %(id)d が重複しています（シート「%(sheet)s」%(row)d行目と同じ）。": (
        "Answer ID %(id)d appears twice (also on sheet “%(sheet)s”, row %(row)d)."
    ),
    "回答ID %(id)d の回答はありません。": "There is no answer with answer ID %(id)d.",
    "回答ID %(id)d は別の照会（%(round)s）の回答です。": (
        "Answer ID %(id)d belongs to another update round (%(round)s)."
    ),
    "取組番号「%(got)s」が回答ID %(id)d の取組項目（%(code)s）と一致しません。": (
        "Initiative no. “%(got)s” does not match the initiative of answer ID %(id)d (%(code)s)."
    ),
    "所管外の取組項目です（所管：%(dept)s）。自所属の行だけを取り込めます。": (
        "This initiative belongs to another department (%(dept)s). Only your own department's "
        "rows can be imported."
    ),
    "この行は照会票の出力後に更新されています（照会票の版 %(got)d、現在の版 %(now)d）。照会票を出力し直してください。": (
        "This row was updated after the update sheet was exported (sheet version %(got)d, "
        "current version %(now)d). Export the update sheet again."
    ),
    "回答ID「%(value)s」が数値ではありません。": "Answer ID “%(value)s” is not a number.",
    "版「%(value)s」が数値ではありません。": "Version “%(value)s” is not a number.",
    "評価結果「%(value)s」は選べません。達成・未達成・評価対象外のいずれかを入力してください。": (
        "The evaluation result “%(value)s” is not allowed. Enter 達成 (achieved), 未達成 (not "
        "achieved) or 評価対象外 (not evaluated)."
    ),
    "%(limit)d文字以内で入力してください（現在%(count)d文字）。": (
        "Enter at most %(limit)d characters (now %(count)d)."
    ),
    "「%(state)s」の回答は変更できません。": "An answer that is “%(state)s” cannot be changed.",
    "Excel 照会票から取込": "Imported from an Excel update sheet",
    "\u3000記入日 %(day)s": ", filled in on %(day)s",
    "取込中にほかの人が回答 %(id)d を更新しました。もう一度取り込んでください。": (
        "Someone else updated answer %(id)d during the import. Please import again."
    ),
    # staff messages after an action (evaluations/views/staff.py)
    "保存しました（入力中）。内容が確定したら「提出」してください。": (
        "Saved (In progress). When the answer is final, submit it to the Reform Office."
    ),
    "提出しました。市政改革室の確認をお待ちください。": (
        "Submitted. The Reform Office will now review it."
    ),
    "差し戻しました。": "Returned.",
    "確認済にしました。": "Marked as confirmed.",
    "入力内容を確認してください。": "Please check what you entered.",
    "根拠資料を登録しました。": "Evidence added.",
    "根拠資料「%(title)s」を削除しました。": "Evidence “%(title)s” removed.",
    "照会の管理は市政改革室の職員だけが行えます。": "Only Reform Office staff can manage update rounds.",
    "照会「%(round)s」を開始しました。": "Update round “%(round)s” opened.",
    "この照会にない回答が含まれています。": (
        "The selection includes answers that are not in this update round."
    ),
    "「%(title)s」はほかの人が更新したため、一括操作を取り消しました（変更なし）。": (
        "Someone else updated “%(title)s”, so the bulk action was cancelled (nothing changed)."
    ),
    "%(count)d件を処理しました。": "Processed %(count)d answer(s).",
    "照会を締め切りました。以後、回答は変更できません。": (
        "The update round is closed. Answers can no longer be changed."
    ),
    "公表しました。公開ページの数値はこの時点に切り替わりました。": (
        "Published. The public pages now show the figures as of this date."
    ),
    # staff pages: update sheet import (templates/evaluations/reports/import.html)
    "照会票の取込": "Import update sheets",
    "照会票（Excel）の取込": "Import update sheets (Excel)",
    "照会票をダウンロード": "Download the update sheet",
    "記入済みの照会票を取り込む": "Import a completed update sheet",
    "照会票ファイル（.xlsx、%(max_mb)sMBまで）": "Update sheet file (.xlsx, up to %(max_mb)s MB)",
    "内容を確認する": "Review the changes",
    "取り込む前に、変更される内容を確認できます。問題が1件でもあれば、何も取り込みません。": (
        "You can review the changes before anything is imported. If there is a single "
        "problem, nothing is imported."
    ),
    "%(counter)s件の問題があるため取り込めません。": [
        "Cannot import: %(counter)s problem found.",
        "Cannot import: %(counter)s problems found.",
    ],
    "シート": "Sheet",
    "行": "Row",
    "理由": "Reason",
    "変更内容の確認": "Review the changes",
    "%(rows)s行のうち %(changed)s件を変更、%(same)s件は変更なし": (
        "Of %(rows)s rows, %(changed)s will change and %(same)s stay as they are"
    ),
    "変更前": "Before",
    "変更後": "After",
    "シート「%(sheet)s」%(row)s行目": "Sheet “%(sheet)s”, row %(row)s",
    "この内容で取り込む": "Import these changes",
    "やめる": "Cancel",
    "変更はありません。": "Nothing would change.",
    "戻る": "Back",
    # staff pages: reports and update sheets (templates/evaluations/reports/office.html, job.html)
    "報告書の作成状況": "Report status",
    "PDFをダウンロード": "Download PDF",
    "作成できませんでした。": "The report could not be created.",
    "最新の状況を表示": "Show the latest status",
    "報告書・照会票の出力に戻る": "Back to reports and update sheets",
    "報告書・照会票の出力": "Reports and update sheets",
    "進捗状況報告（PDF）": "Progress report (PDF)",
    "PDFを作成（バックグラウンド）": "Create PDF (in the background)",
    "公表済みの時点はまだありません。": "Nothing has been published yet.",
    "照会票（Excel）": "Update sheets (Excel)",
    "全所属": "All departments",
    "照会はまだありません。": "No update rounds yet.",
    "出力できる計画はありません。": "There are no plans to produce reports for.",
    # staff pages: entering an answer (templates/evaluations/staff/entry_edit.html)
    "回答の入力": "Enter the answer",
    "公開ページ": "Public page",
    "取組項目のページ": "The initiative's page",
    "最終更新 %(when)s %(who)s": "Last updated %(when)s by %(who)s",
    "ほかの人が先に保存した変更は次のとおりです。": "Someone else saved these changes first:",
    "変更者": "Changed by",
    "あなたの入力は下のフォームに残っています。内容を確認し、必要なら直してからもう一度保存してください。": (
        "What you entered is still in the form below. Check it, correct it if needed, and save "
        "again."
    ),
    "市政改革室からの差戻しコメント": "Returned by the Reform Office with this comment",
    "保存": "Save",
    "市政改革室に提出する": "Submit to the Reform Office",
    "この根拠資料を削除しますか？": "Remove this evidence?",
    "削除": "Remove",
    "登録された根拠資料はありません。": "No evidence has been added.",
    "登録できる形式：%(types)s（%(size)sまで）": "Types allowed: %(types)s (up to %(size)s)",
    "根拠資料を登録": "Add evidence",
    "最新の%(n)s件を表示しています。すべての変更履歴は取組項目のページで確認できます。": (
        "Showing the latest %(n)s changes. The full history is on the initiative's page."
    ),
    # staff pages: update rounds and worklist (templates/evaluations/staff/)
    "照会の管理": "Update rounds",
    "選択": "Select",
    "最終更新": "Last updated",
    "回答はありません。": "No answers.",
    "選択した回答をまとめて操作": "Act on the selected answers",
    "実行": "Apply",
    "公表する": "Publish",
    "すべての回答が確認済になると公表できます。": "The round can be published once every answer is confirmed.",
    "照会を締め切る": "Close the update round",
    "計": "Total",
    "照会を開始する": "Open an update round",
    "照会を開始": "Open the round",
    "受付中の照会で、あなたの所属が担当する取組項目です。": (
        "Your department's initiatives in the update rounds now open."
    ),
    "照会の管理（市政改革室）": "Update rounds (Reform Office)",
    "期限超過": "Overdue",
    "該当する取組項目はありません。": "No matching initiatives.",
    # sign-in and lock-out (templates/registration/)
    "ログインを一時的に停止しています": "Logging in is temporarily blocked",
    "パスワードの誤りが続いたため、このユーザー名とこの接続元からのログインを一時的に停止しました。15分ほど待ってから、もう一度お試しください。": (
        "After several wrong passwords in a row, logging in with this user name from this "
        "connection has been blocked for a while. Please wait about 15 minutes and try again."
    ),
    "パスワードが分からない場合は、システム管理者に連絡してください。": (
        "If you do not know your password, please contact the system administrator."
    ),
    "職員ログイン": "Staff log-in",
    "所管課・市政改革室の職員用のページです。": (
        "For staff of the responsible departments and the Reform Office."
    ),
}


def main():
    from pathlib import Path

    import polib

    path = Path(__file__).parent / "en" / "LC_MESSAGES" / "django.po"
    po = polib.pofile(str(path))
    for entry in po:
        # A msgid with a context (pgettext, {% translate … context … %}) is keyed by both.
        value = EN.get((entry.msgctxt, entry.msgid)) if entry.msgctxt else EN.get(entry.msgid)
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
    keys = {(e.msgctxt, e.msgid) if e.msgctxt else e.msgid for e in po}
    missing = [k for k in EN if k not in keys]
    print(f"{len(EN) - len(missing)} translated; not in the catalogue: {missing}")


if __name__ == "__main__":
    main()
