"""plans.json and home.json are kept per process by a digest of the rows they show (like the
pages: reformtracker/page_memo.py), and each plan's board is kept for the publications: a kept
document is the one a fresh build gives, and an edit or a publication shows at once."""

import pytest

from initiatives.models import Pillar, Plan
from reformtracker import memos
from tests.constants import KITAKYUSHU, OSAKA
from tests.factories import grow_and_publish

pytestmark = pytest.mark.django_db

DOCUMENTS = ["/open-data/plans.json", "/open-data/home.json", "/open-data/home.json?q=大阪"]


@pytest.fixture
def memo(settings):
    settings.PUBLIC_DATA_MEMO = True
    settings.PUBLIC_PAGE_FINGERPRINT_SECONDS = 0
    memos.clear()
    yield
    memos.clear()


def _documents(client) -> dict[str, bytes]:
    return {url: client.get(url).content for url in DOCUMENTS}


def test_kept_documents_are_byte_for_byte_the_freshly_built_ones(client, seeded, settings, memo):
    kept = [_documents(client), _documents(client)]
    settings.PUBLIC_DATA_MEMO = False
    assert kept[0] == kept[1] == _documents(client)


def test_a_renamed_plan_or_pillar_and_a_new_publication_show_at_once(client, seeded, memo):
    _documents(client)
    Plan.objects.filter(slug=OSAKA).update(title="改名した計画")
    assert "改名した計画" in client.get("/open-data/plans.json").content.decode()
    # Kitakyushu has no published 時点, so its board shows its pillars as they are now.
    Pillar.objects.filter(plan__slug=KITAKYUSHU, order=2).update(name="改名した取組方針")
    assert "改名した取組方針" in client.get("/open-data/home.json").content.decode()
    grow_and_publish(total=30, fiscal_year=2025)
    osaka = next(
        p for p in client.get("/open-data/plans.json").json()["plans"] if p["slug"] == OSAKA
    )
    assert [s["fiscal_year"] for s in osaka["summaries"]][-1] == 2025
    home = client.get("/open-data/home.json").json()
    board = next(b for b in home["plans"] if b["plan"]["slug"] == OSAKA)
    assert board["publication"]["fiscal_year"] == 2025
