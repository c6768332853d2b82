"""The initiative browser's text indexes: what lets a search find the rows that hold a word
(the folded ``search_text`` of initiatives and published rows) without reading every row.

Both are kept by the database itself as the rows are written, by every writer (the services,
bulk_create, the admin, fixtures, raw SQL such as bench/nation.py), so no writer has to know of
them; the migration that makes them (evaluations 0022_browse_sort_key) builds them for the rows
that exist.

- PostgreSQL: the trigram indexes (migrations ``*_search_text``) serve a word of three or more
  characters through LIKE; pg_trgm takes no trigram from two (and Japanese has many two-character
  words: 委託, ごみ), so an expression GIN index over each text's bigrams (``browse_bigrams``)
  serves those: a two-character word is in a text exactly when it is one of the text's bigrams.
- SQLite: an FTS5 index with the trigram tokenizer (case-sensitive: both sides are folded
  already, so it matches as the substring test does), kept by triggers, serves words of three
  or more characters. Shorter words are read row by row with INSTR.

A word of one character is read row by row on both. On SQLite a word found in (almost) every
item (``dense``) is not read through its index at all: the browser walks the items in its order
testing their text (``walked``), and its first page is full after a few dozen rows.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection
from django.db.models import BooleanField, Q, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import StrIndex
from django.db.models.lookups import GreaterThan

from reformtracker.db_routers import read_connection

# Each searched table: its FTS5 index (SQLite; its triggers are named after it) and its bigram
# GIN index (PostgreSQL).
TABLES = {
    "initiatives_initiative": ("initiative_search_fts", "initiative_search_bigram"),
    "evaluations_publishedresult": ("pubresult_search_fts", "pubresult_search_bigram"),
}

BIGRAMS_FUNCTION = """
CREATE OR REPLACE FUNCTION browse_bigrams(text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT substr($1, i, 2)), '{}')
    FROM generate_series(1, char_length($1) - 1) AS i
$$"""


def _sqlite_create(table: str, fts: str) -> list[str]:
    delete = (
        f"INSERT INTO {fts}({fts}, rowid, search_text) VALUES ('delete', old.id, old.search_text);"
    )
    insert = f"INSERT INTO {fts}(rowid, search_text) VALUES (new.id, new.search_text);"
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5(search_text, content='{table}',"
        " content_rowid='id', tokenize='trigram case_sensitive 1')",
        f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN {insert} END",
        f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN {delete} END",
        f"CREATE TRIGGER {fts}_update AFTER UPDATE OF search_text ON {table}"
        f" BEGIN {delete} {insert} END",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    ]


def create(schema_editor) -> None:
    """Makes the indexes of the database ``schema_editor`` works on, for the rows there."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(BIGRAMS_FUNCTION)
        for table, (_fts, gin) in TABLES.items():
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{gin}" ON "{table}"'
                ' USING gin (browse_bigrams("search_text"))'
            )
    elif vendor == "sqlite":
        for table, (fts, _gin) in TABLES.items():
            for sql in _sqlite_create(table, fts):
                schema_editor.execute(sql)


def drop(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for _fts, gin in TABLES.values():
            schema_editor.execute(f'DROP INDEX IF EXISTS "{gin}"')
        schema_editor.execute("DROP FUNCTION IF EXISTS browse_bigrams(text)")
    elif vendor == "sqlite":
        for fts, _gin in TABLES.values():
            for suffix in ("insert", "delete", "update"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {fts}_{suffix}")
            schema_editor.execute(f"DROP TABLE IF EXISTS {fts}")


# A search whose every word the initiatives' FTS5 index finds in this many items or more is
# dense: it is read by walking the items in the browser's order and testing their text
# (evaluations.browse), not through the index's ids, which are all merged, sorted and counted.
DENSE_HITS = 1000


def dense(terms: Sequence[str]) -> bool:
    """Whether the browser should walk for ``terms`` (folded search words) rather than read
    the text indexes' ids: on SQLite, when each word of three or more characters is in at least
    DENSE_HITS initiatives (the FTS5 index, each word's hits counted up to that many), in one
    query whatever the sizes. No query when no word can be counted so (PostgreSQL, which keeps
    its indexes; a word of one or two characters, which SQLite reads row by row already)."""
    counted = [t for t in terms if len(t) >= 3] if connection.vendor == "sqlite" else []
    if not counted or len(counted) < len(terms):
        return False
    fts = TABLES["initiatives_initiative"][0]
    probes = [
        f"(SELECT COUNT(*) FROM (SELECT rowid FROM {fts} WHERE {fts} MATCH %s LIMIT %s))"
        for _ in counted
    ]
    params = [v for t in counted for v in ('"' + t.replace('"', '""') + '"', DENSE_HITS)]
    with read_connection().cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(probes)}", params)
        return min(cursor.fetchone()) >= DENSE_HITS


def walked(model, term: str):
    """A condition on ``model``: its ``search_text`` holds ``term``, read row by row (INSTR),
    for the browser's walk of a dense word."""
    return GreaterThan(StrIndex("search_text", Value(term)), 0)


def holds(model, term: str):
    """A condition on ``model`` (Initiative or PublishedResult): its ``search_text`` holds
    ``term`` (a folded search word), by the index above where there is one."""
    table = model._meta.db_table
    fts, _gin = TABLES[table]
    if connection.vendor == "postgresql":
        if len(term) == 2:
            return RawSQL(
                'browse_bigrams("search_text") @> ARRAY[%s]::text[]', [term], BooleanField()
            )
        return Q(search_text__contains=term)
    if connection.vendor == "sqlite" and len(term) >= 3:
        phrase = '"' + term.replace('"', '""') + '"'
        return Q(pk__in=RawSQL(f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s", [phrase]))
    if connection.vendor == "sqlite":
        # INSTR, not LIKE: the folding leaves no case to ignore and nothing to escape, and
        # LIKE's character-by-character comparison cost three times as much.
        return GreaterThan(StrIndex("search_text", Value(term)), 0)
    return Q(search_text__contains=term)
