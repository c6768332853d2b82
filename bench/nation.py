"""The nation-scale data of bench/bench_nation.py, apart so that a test can make a small nation
with it and hold it to what the services write (tests/production/test_nation_data.py).

``generate(count, items)`` writes ``count`` made-up municipalities over the 47 prefectures, each
with 10 departments (the first its reform office), a plan of 5 pillars (2–4 tracked item by
item) and ``items`` initiatives, and for FY2022–2024 a year-end round with every entry
confirmed and published: the rows open_round_as_system → update_entry_as_system (state
確認済) → publish_round_as_system write — entries at version 3 in state 公表, one round.open,
one entry.update and one entry.publish history row per entry, one round.publish per round, and
the publication's PublishedResult and PublishedPillar snapshot rows — but set-based, by
INSERT … SELECT in PostgreSQL (and COPY for the cities), not one service call at a time.
"""

from __future__ import annotations

from django.db import connection, transaction

from initiatives.prefectures import Prefecture, local_code
from reformtracker.textnorm import normalise

FISCAL_YEARS = (2022, 2023, 2024)

# The texts the generated rows hold, and their search forms (reformtracker.textnorm): the rows'
# ``search_text`` is written in SQL from these (tests/production/test_nation_data.py holds
# every row to what the models would write).
TITLE = ("取組項目", "：業務の見直しと効率化")  # around the item's number
TARGET = "令和7年度末までに処理時間を2割削減する。"
NARRATIVE = "計画どおり取組を進め、所管課で進捗を確認した。"
REASON = "令和7年度末時点で評価を実施のため、評価対象外。"
_FOLDED = {text: normalise(text) for text in (*TITLE, TARGET, NARRATIVE, REASON)}
assert all("'" not in text for text in (*_FOLDED, *_FOLDED.values()))  # spelled into the SQL

# Syllables for made-up place names: deterministic, pronounceable, plainly fictional.
FIRST = "青赤朝旭東西南北上下中大小高松竹梅桜山川田野原石森宮長岡浜津沢谷島木花水"
SECOND = "山川田野原石森宮岡崎浜津沢谷島木本井里村野台瀬橋江戸"


# --- generating -------------------------------------------------------------------------------


def cities(count: int) -> list[tuple[str, str, str, str, str]]:
    """(slug, name, name_en, prefecture, local code) of ``count`` made-up municipalities,
    spread over the 47 prefectures in turn, as 市, 町, 村 and 区 in Japan's proportions
    (792 : 743 : 183 : 23 of 1,741)."""
    kinds = ["市"] * 792 + ["町"] * 743 + ["村"] * 183 + ["区"] * 23
    english = {"市": "City", "町": "Town", "村": "Village", "区": "Ward"}
    made, per_prefecture = [], {}
    for n in range(count):
        prefecture = Prefecture.values[n % 47]
        k = per_prefecture[prefecture] = per_prefecture.get(prefecture, -1) + 1
        kind = kinds[(n * 1741 // max(count, 1)) % len(kinds)]
        stem = FIRST[(n * 7) % len(FIRST)] + SECOND[(n * 11 + n // len(FIRST)) % len(SECOND)]
        code = local_code(f"{prefecture}{201 + k:03d}")  # 政令市 are 1xx: the seed's stay free
        made.append(
            (f"n{code}", f"{stem}{kind}", f"{stem} {english[kind]} ({code})", prefecture, code)
        )
    return made


def generate(count: int, items: int) -> dict[str, int]:
    """Writes the nation; returns the rows per table."""
    made = cities(count)
    with transaction.atomic(), connection.cursor() as cursor:
        with cursor.copy(
            "COPY initiatives_municipality (slug, name, name_en, prefecture, local_code) FROM STDIN"
        ) as copy:
            for row in made:
                copy.write_row(row)
        steps = [
            # 10 departments per city; the first is its reform office.
            """INSERT INTO initiatives_department
                   (municipality_id, code, name, name_en, kind, is_reform_office)
               SELECT m.id, 'd' || lpad(d::text, 2, '0'),
                      CASE WHEN d = 0 THEN '政策企画室' ELSE '第' || d || '部' END, '',
                      CASE WHEN d = 0 THEN 'office' ELSE 'bureau' END, d = 0
               FROM initiatives_municipality m, generate_series(0, 9) d
               WHERE m.slug LIKE 'n%'""",
            """INSERT INTO initiatives_plan
                   (municipality_id, slug, title, title_en, subtitle, start_fiscal_year,
                    end_fiscal_year, adopted_precision, summary, source_title, source_url,
                    contact, "order", rating_rule, indicator_bands)
               SELECT m.id, 'plan-' || m.slug, m.name || '行財政改革プラン', '', '', 2022, 2025,
                      'day', '', '', '', '', 100, 'achieved_over_evaluated',
                      '[["A", 100], ["B", 80], ["C", 50], ["D", 0]]'
               FROM initiatives_municipality m WHERE m.slug LIKE 'n%'""",
            # 5 pillars; 2, 3 and 4 tracked item by item (as Osaka tracks some pillars only).
            """INSERT INTO initiatives_pillar
                   (plan_id, "order", name, name_en, kind, description, managed_through,
                    office_tracks_items)
               SELECT p.id, o, '取組方針' || o, '', 'policy', '', '', o BETWEEN 2 AND 4
               FROM initiatives_plan p, generate_series(1, 5) o WHERE p.slug LIKE 'plan-n%'""",
            f"""INSERT INTO initiatives_initiative
                   (plan_id, pillar_id, code, "order", title, title_en, department_id, target,
                    description, evaluation_timing, reform_level, retired_reason, search_text)
               SELECT p.id, pl.id, (2 + i % 3) || '-' || (i / 3 + 1), i,
                      '{TITLE[0]}' || (2 + i % 3) || '-' || (i / 3 + 1) || '{TITLE[1]}',
                      '', d.id, '{TARGET}', '', 'every_year', '', '',
                      '{_FOLDED[TITLE[0]]}' || (2 + i % 3) || '-' || (i / 3 + 1)
                      || '{_FOLDED[TITLE[1]]}' || chr(10) || chr(10) || '{_FOLDED[TARGET]}'
                      || chr(10)
               FROM initiatives_plan p
               CROSS JOIN generate_series(0, {items - 1}) i
               JOIN initiatives_pillar pl ON pl.plan_id = p.id AND pl."order" = 2 + i % 3
               JOIN initiatives_department d
                 ON d.municipality_id = p.municipality_id AND d.code = 'd' || lpad((1 + i % 9)::text, 2, '0')
               WHERE p.slug LIKE 'plan-n%'""",
            """INSERT INTO evaluations_round
                   (plan_id, fiscal_year, kind, as_of, state, created_at)
               SELECT p.id, fy, 'year_end', make_date(fy + 1, 3, 31), 'open',
                      make_timestamptz(fy + 1, 4, 1, 0, 0, 0, 'Asia/Tokyo')
               FROM initiatives_plan p, unnest(ARRAY[2022, 2023, 2024]) fy
               WHERE p.slug LIKE 'plan-n%'""",
            """INSERT INTO evaluations_historyevent
                   (at, actor_name, action, subject_type, subject_repr, round_id, changes, comment)
               SELECT r.created_at, 'bench', 'round.open', '', '', r.id,
                      jsonb_build_object('fiscal_year', r.fiscal_year, 'kind', r.kind,
                                         'as_of', r.as_of::text), ''
               FROM evaluations_round r JOIN initiatives_plan p ON p.id = r.plan_id
               WHERE p.slug LIKE 'plan-n%'""",
            # Every entry: its result confirmed (version 2), then published (version 3).
            # One in twenty is 評価対象外 with its reason, one in five of the rest 未達成.
            f"""INSERT INTO evaluations_entry
                   (round_id, initiative_id, result, reason, narrative, staff_comment,
                    review_comment, state, version, updated_at)
               SELECT r.id, i.id,
                      CASE WHEN (i.id + r.fiscal_year) % 20 = 0 THEN 'excluded'
                           WHEN (i.id + r.fiscal_year) % 5 = 1 THEN 'not_achieved'
                           ELSE 'achieved' END,
                      CASE WHEN (i.id + r.fiscal_year) % 20 = 0
                           THEN '{REASON}' ELSE '' END,
                      '{NARRATIVE}', '', '', 'published', 3,
                      make_timestamptz(r.fiscal_year + 1, 5, 15, 10, 0, 0, 'Asia/Tokyo')
               FROM evaluations_round r
               JOIN initiatives_plan p ON p.id = r.plan_id
               JOIN initiatives_initiative i ON i.plan_id = p.id
               JOIN initiatives_pillar pl ON pl.id = i.pillar_id AND pl.office_tracks_items
               WHERE p.slug LIKE 'plan-n%'""",
            """INSERT INTO evaluations_historyevent
                   (at, actor_name, action, initiative_id, subject_type, subject_repr, round_id,
                    entry_id, changes, comment)
               SELECT e.updated_at, 'bench', 'entry.update', e.initiative_id, '', '', e.round_id,
                      e.id,
                      jsonb_build_object('result', jsonb_build_object('before', '', 'after', e.result),
                                         'narrative', jsonb_build_object('before', '', 'after', e.narrative),
                                         'state', jsonb_build_object('before', 'not_started', 'after', 'confirmed'),
                                         'version', 2)
                      || CASE WHEN e.reason <> '' THEN jsonb_build_object('reason',
                              jsonb_build_object('before', '', 'after', e.reason))
                              ELSE '{}'::jsonb END, ''
               FROM evaluations_entry e JOIN evaluations_round r ON r.id = e.round_id
               JOIN initiatives_plan p ON p.id = r.plan_id WHERE p.slug LIKE 'plan-n%'""",
            """INSERT INTO evaluations_publication (round_id, published_at, note, corrections)
               SELECT r.id, make_timestamptz(r.fiscal_year + 1, 6, 1, 14, 0, 0, 'Asia/Tokyo'), '',
                      '[]'
               FROM evaluations_round r JOIN initiatives_plan p ON p.id = r.plan_id
               WHERE p.slug LIKE 'plan-n%'""",
            """INSERT INTO evaluations_publishedpillar
                   (publication_id, pillar_id, "order", name, managed_through,
                    office_tracks_items, done, next_steps)
               SELECT pub.id, pl.id, pl."order", pl.name, pl.managed_through,
                      pl.office_tracks_items, '', ''
               FROM evaluations_publication pub JOIN evaluations_round r ON r.id = pub.round_id
               JOIN initiatives_plan p ON p.id = r.plan_id
               JOIN initiatives_pillar pl ON pl.plan_id = p.id WHERE p.slug LIKE 'plan-n%'""",
            f"""INSERT INTO evaluations_publishedresult
                   (publication_id, initiative_id, pillar_id, department_id, code, "order",
                    title, department_name, target, result, reason, narrative, reform_level,
                    search_text)
               SELECT pub.id, i.id, i.pillar_id, i.department_id, i.code, i."order", i.title,
                      d.name, i.target, e.result, e.reason, e.narrative, i.reform_level,
                      split_part(i.search_text, chr(10), 1) || chr(10) || '{_FOLDED[NARRATIVE]}'
                      || chr(10) || CASE WHEN e.reason = '' THEN '' ELSE '{_FOLDED[REASON]}' END
               FROM evaluations_publication pub JOIN evaluations_round r ON r.id = pub.round_id
               JOIN initiatives_plan p ON p.id = r.plan_id
               JOIN evaluations_entry e ON e.round_id = r.id
               JOIN initiatives_initiative i ON i.id = e.initiative_id
               JOIN initiatives_department d ON d.id = i.department_id
               WHERE p.slug LIKE 'plan-n%'""",
            """INSERT INTO evaluations_historyevent
                   (at, actor_name, action, initiative_id, subject_type, subject_repr, round_id,
                    entry_id, publication_id, changes, comment)
               SELECT pub.published_at, 'bench', 'entry.publish', e.initiative_id, '', '',
                      e.round_id, e.id, pub.id,
                      jsonb_build_object('state', jsonb_build_object('before', 'confirmed',
                                                                     'after', 'published'),
                                         'version', 3), ''
               FROM evaluations_publication pub JOIN evaluations_entry e ON e.round_id = pub.round_id
               JOIN evaluations_round r ON r.id = pub.round_id
               JOIN initiatives_plan p ON p.id = r.plan_id WHERE p.slug LIKE 'plan-n%'""",
            """INSERT INTO evaluations_historyevent
                   (at, actor_name, action, subject_type, subject_repr, round_id,
                    publication_id, changes, comment)
               SELECT pub.published_at, 'bench', 'round.publish', '', '', pub.round_id, pub.id,
                      jsonb_build_object('results',
                          (SELECT count(*) FROM evaluations_entry e WHERE e.round_id = pub.round_id)),
                      ''
               FROM evaluations_publication pub JOIN evaluations_round r ON r.id = pub.round_id
               JOIN initiatives_plan p ON p.id = r.plan_id WHERE p.slug LIKE 'plan-n%'""",
        ]
        for sql in steps:
            cursor.execute(sql)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        counts = {}
        for table in (
            "initiatives_municipality",
            "initiatives_plan",
            "initiatives_initiative",
            "evaluations_entry",
            "evaluations_publication",
            "evaluations_publishedresult",
            "evaluations_historyevent",
        ):
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[table] = cursor.fetchone()[0]
    return counts
