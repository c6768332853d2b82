"""Atom feeds for following the site, a plan or an initiative (/feed/, /plans/<slug>/feed/,
/plans/<slug>/initiatives/<code>/feed/): publications, corrections (訂正), meetings added and meetings held.

The entries come from evaluations.feeds (publications, and the meetings' rows, read by prepared
queries) and xmeetings.feeds (what a meeting's entry says); these
views only merge them, newest first, and writes Atom with Django's syndication framework.
A feed is stored whole by the page cache like the result pages (evaluations.public_cache), so
a publication changes it at once and a repeated request reads nothing. Unlike them it also
depends on today (a meeting counts as held once its dates have passed), so its key carries the
date too (``stored_by_day``). A meeting the office adds or marks held is an edit of master data,
which changes the fingerprint (initiatives.models.MasterDataVersion), so it shows at once. With the
page cache off, or missed, it is kept per process by a digest of the entries it shows
(reformtracker.page_memo); it is answered 304 by its ETag (reformtracker.public_pages).
"""

from __future__ import annotations

from datetime import datetime
from functools import partial

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from evaluations import boards
from evaluations import feeds as publication_feeds
from evaluations.feeds import FeedEntry
from initiatives.models import Initiative
from reformtracker import page_memo
from reformtracker.links import cached_reverse
from reformtracker.public_pages import public_page, stored_by_day
from xmeetings import feeds as meeting_feeds

ENTRIES = 50
# The initiative feed's item with its plan, by the plan's slug and the item's number (prepared:
# the ORM's compiler cost more than the query).
_initiative_with_plan = boards.Prepared(Initiative, "pk", join="plan", where=("plan__slug", "code"))
# The tag URI's date (RFC 4151): when the site first minted these ids; never to change.
TAG_DATE = "2026"


def _merge(*groups: list[FeedEntry]) -> list[FeedEntry]:
    entries = [entry for group in groups for entry in group]
    entries.sort(key=lambda e: (e.updated, e.key), reverse=True)
    return entries[:ENTRIES]


def _meetings(held, added) -> list[FeedEntry]:
    return [FeedEntry(**meeting_feeds.meeting_entry(m)) for m in held] + [
        FeedEntry(**meeting_feeds.added_entry(m, at)) for m, at in added
    ]


class _AtomFeed(Feed):
    """One feed response: made per request with the entries the view read, so the view can
    key the memo on them before any XML is written."""

    feed_type = Atom1Feed

    def __init__(self, subject, entries: list[FeedEntry], host: str):
        self.subject, self.entries, self.host = subject, entries, host

    def get_object(self, request, *args, **kwargs):
        return self.subject

    def items(self, obj):
        return self.entries

    def author_name(self):
        return _("市政改革の進捗")

    def feed_guid(self, obj):
        return self._tag("feed" + self.link(obj))

    def _tag(self, key: str) -> str:
        return f"tag:{self.host},{TAG_DATE}:{key}"

    def item_title(self, item: FeedEntry):
        return item.title

    def item_description(self, item: FeedEntry):
        return item.summary

    def item_link(self, item: FeedEntry):
        return item.link

    def item_guid(self, item: FeedEntry):
        return self._tag(item.key)

    def item_updateddate(self, item: FeedEntry) -> datetime:
        return item.updated

    def item_pubdate(self, item: FeedEntry) -> datetime:
        return item.updated

    def item_categories(self, item: FeedEntry):
        return [item.kind]


class SiteFeed(_AtomFeed):
    def title(self):
        return _("市政改革の進捗：公表と会議の新着")

    def link(self, obj=None):
        return cached_reverse("home")

    def subtitle(self):
        return _("各計画の結果の公表・訂正と、開催されたX会議。")


class PlanFeed(_AtomFeed):
    def title(self, plan):
        return _("%(city)s「%(plan)s」の新着") % {
            "city": plan.municipality.name,
            "plan": plan.title,
        }

    def link(self, plan):
        return cached_reverse("plan_detail", plan.slug)

    def subtitle(self, plan):
        return _("結果の公表・訂正と、開催されたX会議。")


class InitiativeFeed(_AtomFeed):
    def title(self, initiative):
        return _("取組項目「%(item)s」の新着") % {"item": initiative.title}

    def link(self, initiative):
        return cached_reverse("initiative_detail", initiative.plan.slug, initiative.code)

    def subtitle(self, initiative):
        return _("この取組項目の公表された結果と、関連するX会議。")


def _respond(request, name: str, feed_class, subject, entries: list[FeedEntry]):
    """The feed, kept per process by a digest of its subject and entries: an edit, a
    publication or a meeting passing its dates changes them, and so the key."""
    host = request.get_host().split(":")[0]
    return page_memo.respond(
        request,
        name,
        lambda: page_memo.digest(subject, [tuple(vars(e).values()) for e in entries]),
        lambda: feed_class(subject, entries, host)(request),
    )


@stored_by_day
@public_page
def site_feed(request):
    entries = _merge(
        publication_feeds.kept("site", boards.live_plans, publication_feeds.publication_entries),
        _meetings(publication_feeds.held_meetings(), publication_feeds.meetings_added()),
    )
    return _respond(request, "site.atom", SiteFeed, None, entries)


@stored_by_day
@public_page
def plan_feed(request, slug):
    plan = boards.plan_by_slug(slug)
    entries = _merge(
        publication_feeds.kept(
            f"plan/{plan.pk}", lambda: [plan], partial(publication_feeds.publication_entries, plan)
        ),
        _meetings(
            publication_feeds.held_meetings(plan=plan), publication_feeds.meetings_added(plan=plan)
        ),
    )
    return _respond(request, "plan.atom", PlanFeed, plan, entries)


@stored_by_day
@public_page
def initiative_feed(request, slug, code):
    found = _initiative_with_plan(slug, code)
    if not found:
        raise Http404("No Initiative matches the given query.")
    initiative = found[0]
    entries = _merge(
        publication_feeds.kept(
            f"initiative/{initiative.pk}",
            lambda: [initiative, initiative.plan],
            partial(publication_feeds.initiative_entries, initiative),
        ),
        _meetings(
            publication_feeds.held_meetings(initiative=initiative),
            publication_feeds.meetings_added(initiative=initiative),
        ),
    )
    return _respond(request, "initiative.atom", InitiativeFeed, initiative, entries)
