"""Fixtures for the HTTP-layer tests: the seed with its demo accounts, and production's
transport settings (tests run with DJANGO_ENV=test, where they are off)."""

import pytest
from django.core.management import call_command
from django.test import Client

from evaluations.models import Publication

OSAKA = "osaka-shin-shisei-kaikaku"
KITAKYUSHU = "kitakyushu-shisei-henkaku"

# What settings.py sets when DJANGO_ENV=production (test_headers.py checks they match).
PRODUCTION_TRANSPORT = {
    "SECURE_SSL_REDIRECT": True,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "LANGUAGE_COOKIE_SECURE": True,
    "SECURE_HSTS_SECONDS": 60 * 60 * 24 * 365,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
    "SECURE_REDIRECT_EXEMPT": [r"^healthz$"],
}


@pytest.fixture
def site(db):
    call_command("load_seed", verbosity=0)
    call_command("load_demo_accounts", verbosity=0)
    publication = Publication.objects.select_related("round__plan").latest("id")
    return publication


@pytest.fixture
def production_like(settings):
    for name, value in PRODUCTION_TRANSPORT.items():
        setattr(settings, name, value)
    return settings


def signed_in(username: str) -> Client:
    from django.contrib.auth import get_user_model

    client = Client(raise_request_exception=False)
    client.force_login(get_user_model().objects.get(username=username))
    return client
