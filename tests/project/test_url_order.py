"""The root URLconf tries the public pages before the includes that have no prefix of their own:
Django tries patterns in order, and each include that does not match costs an exception listing
what it tried, so a public page behind the six staff and office includes took 0.08–0.17 ms to
resolve and takes 0.03–0.04 ms in front of them (reformtracker/urls.py)."""

from django.urls import URLResolver, get_resolver, resolve
from django.urls.resolvers import LocalePrefixPattern
from django.utils import translation


def _root_patterns():
    return get_resolver().url_patterns


def test_the_public_pages_come_before_every_include_without_a_prefix():
    patterns = _root_patterns()
    public = next(n for n, p in enumerate(patterns) if isinstance(p.pattern, LocalePrefixPattern))
    unprefixed = [
        n
        for n, p in enumerate(patterns)
        if isinstance(p, URLResolver) and str(p.pattern) == "" and n != public
    ]
    assert len(unprefixed) >= 6
    assert public < min(unprefixed)


def test_public_and_signed_in_addresses_still_reach_their_own_views():
    # The reorder changes no match: one address of each kind, in both languages where public.
    for path, name in [
        ("/", "home"),
        ("/initiatives/", "initiative_list"),
        ("/open-data/plans.json", "open_data_plans"),
        ("/open-data/meetings.json", "api_meetings"),
        ("/meetings/", "meeting_list"),
        ("/staff/", "staff:worklist"),
        ("/accounts/login/", "login"),
        ("/office/reports/", "reports:office"),
        ("/setup/", "onboarding:first_run"),
        ("/admin/", "admin:index"),
        ("/healthz", "healthz"),
    ]:
        assert resolve(path).view_name == name, path
    with translation.override("en"):
        assert resolve("/en/initiatives/").view_name == "initiative_list"
