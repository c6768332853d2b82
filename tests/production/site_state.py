"""What a restored site must give back exactly as the original gave it: every open-data document
(found by following the links the site lists from /open-data/), the figures of the public pages,
the row counts of the history and the snapshots, and every private file's bytes.

``capture()`` reads the site this process is configured for. ``python -m
tests.production.site_state`` prints it as JSON, so a test can read a restored site from a
fresh process configured only by its environment (DATABASE_URL or SQLITE_PATH,
PRIVATE_MEDIA_ROOT, PRIVATE_FILES_BACKEND), as another server would."""

from __future__ import annotations

import hashlib
import json
import re
from collections import deque

# Where the walk starts: the open-data index and the read API's fixed addresses, and the
# meetings page (it links the schedules). Every other document is found from these.
ROOTS = [
    "/open-data/",
    "/open-data/home.json",
    "/open-data/plans.json",
    "/open-data/initiatives.json",
    "/open-data/meetings.json",
    "/meetings/",
]
# A link to an open-data document (in the index's HTML), or to a public page (inside a JSON
# document, as "url"), whose data the read API serves at its counterpart address (README
# "Read API": /plans/<slug>/… → /open-data/plans/<slug>….json).
OPEN_DATA_LINK = re.compile(r"""(/open-data/[^"'\s<>?#]*\.(?:json|csv))""")
PAGE_LINK = re.compile(
    r"""(?:https?://[^/"'\s]+)?(/plans/[^"'\s<>?#]+/|/meetings/[\w-]+/schedule/)"""
)
# The figures a visitor reads: rates and counts as the pages print them.
FIGURE = re.compile(r"\d[\d,]*(?:\.\d+)?\s*(?:%|％|件)")
SCHEDULE = re.compile(r"^/meetings/([\w-]+)/schedule/$")


# Pages with no JSON counterpart: a feed is its own document, the subscription pages hold no
# data, and the open-data page's prose names address patterns (〈計画の識別子〉), not pages.
NO_COUNTERPART = re.compile(r"/(feed|subscribe|subscribe/sent)/$|〈")


def _counterpart(page: str) -> str | None:
    if NO_COUNTERPART.search(page):
        return None
    if match := SCHEDULE.match(page):
        return f"/open-data/schedules/{match[1]}.json"
    return f"/open-data{page.rstrip('/')}.json"


def open_data_documents(client, limit: int = 2000) -> dict[str, str]:
    """Every open-data document the site leads to, by address: the SHA-256 of its bytes."""
    seen, queue, documents = set(ROOTS), deque(ROOTS), {}

    def visit(url):
        if url not in seen:
            seen.add(url)
            queue.append(url)

    while queue and len(documents) < limit:
        url = queue.popleft()
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        body = response.content
        text = body.decode("utf-8-sig")
        if url.startswith("/open-data/") and not url.endswith("/"):
            documents[url] = hashlib.sha256(body).hexdigest()
        for link in OPEN_DATA_LINK.findall(text):
            visit(link)
        for page in PAGE_LINK.findall(text):
            if (counterpart := _counterpart(page)) is not None:
                visit(counterpart)
        if url == "/open-data/initiatives.json":  # the browser's other pages
            for number in range(2, json.loads(text)["pages"] + 1):
                visit(f"{url}?page={number}")
        if url == "/open-data/plans.json":  # each plan's meetings
            for plan in json.loads(text)["plans"]:
                visit(f"/open-data/meetings.json?plan={plan['slug']}")
    return documents


def page_figures(client) -> dict[str, list[str]]:
    """The figures printed on the home page and on each plan's page, in order."""
    from initiatives.models import Plan

    pages = ["/", *(f"/plans/{slug}/" for slug in Plan.objects.values_list("slug", flat=True))]
    figures = {}
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        text = re.sub(r"<[^>]+>", " ", response.content.decode("utf-8"))
        figures[url] = FIGURE.findall(text)
    return figures


def row_counts() -> dict[str, int]:
    from evaluations.models import (
        Entry,
        Evidence,
        HistoryEvent,
        Publication,
        PublishedPillar,
        PublishedResult,
        ReportJob,
    )

    models = [
        HistoryEvent,
        Publication,
        PublishedPillar,
        PublishedResult,
        Entry,
        Evidence,
        ReportJob,
    ]
    return {model.__name__: model.objects.count() for model in models}


def _walk(storage, folder: str = ""):
    try:
        directories, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{folder}/{name}" if folder else name
    for directory in directories:
        yield from _walk(storage, f"{folder}/{directory}" if folder else directory)


def private_files() -> dict[str, dict[str, str]]:
    """Each private storage's files: name → SHA-256 of the bytes the storage hands back."""
    from django.core.files.storage import storages

    from reformtracker.env import PRIVATE_STORAGE_FOLDERS

    found = {}
    for alias in PRIVATE_STORAGE_FOLDERS:
        storage = storages[alias]
        nested = {
            folder for other, folder in PRIVATE_STORAGE_FOLDERS.items() if other != alias and folder
        }
        found[alias] = {}
        for name in _walk(storage):
            if alias == "evidence" and name.split("/", 1)[0] in nested:
                continue  # on the filesystem the other storages' folders sit inside evidence's
            with storage.open(name, "rb") as file:
                found[alias][name] = hashlib.sha256(file.read()).hexdigest()
    return found


def capture() -> dict:
    from django.test import Client

    client = Client()
    return {
        "open_data": open_data_documents(client),
        "figures": page_figures(client),
        "rows": row_counts(),
        "files": private_files(),
    }


if __name__ == "__main__":
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()
    print(json.dumps(capture(), ensure_ascii=False, sort_keys=True))
