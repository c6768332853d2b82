"""What the tests know about the seed data (fixtures/*.json) and the site, typed once.

The figures are the ones Osaka published for 令和6年度末 (FY2024): a test that finds other
numbers has found a bug in the seed, the rates or a page, not a reason to change them here.
"""

from datetime import date

OSAKA = "osaka-shin-shisei-kaikaku"
KITAKYUSHU = "kitakyushu-shisei-henkaku"

# Osaka's six pillars, in order (1 … 6). Only 2, 3 and 6 are tracked item by item by the
# reform office; the others are tracked through their own strategies.
OSAKA_PILLARS = [
    "DXの推進",
    "官民連携の推進",
    "業務改革の推進",
    "働き方改革",
    "ニア・イズ・ベターの徹底",
    "持続可能な行財政基盤の構築",
]

# Osaka's published summary for 令和6年度末: 19 achieved of 23 evaluated (約82.6%), 24 checked.
OSAKA_FY2024 = {
    "checked": 24,
    "evaluated": 23,
    "achieved": 19,
    "not_achieved": 4,
    "excluded": 1,
    "rate_percent": "82.6",
}

# One of each public page type (Japanese addresses; /en/ + the same for English).
PUBLIC_PAGES = [
    "/",
    f"/plans/{OSAKA}/",
    f"/plans/{OSAKA}/pillars/2/",
    f"/plans/{OSAKA}/initiatives/6-5/",
    f"/plans/{KITAKYUSHU}/",
    f"/plans/{KITAKYUSHU}/pillars/1/",
    "/initiatives/",
    f"/plans/{OSAKA}/departments/",
    "/meetings/",
    f"/meetings/{KITAKYUSHU}/schedule/",
    "/open-data/",
    "/compare/",
]

# The issue date printed on the progress reports the tests make, so two makes compare equal.
ISSUED = date(2025, 9, 16)


# What settings.py sets when DJANGO_ENV=production for the transport (tests run with
# DJANGO_ENV=test, where it is off); tests/security/test_headers.py checks they still match.
PRODUCTION_TRANSPORT = {
    "SECURE_SSL_REDIRECT": True,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "LANGUAGE_COOKIE_SECURE": True,
    "SECURE_HSTS_SECONDS": 60 * 60 * 24 * 365,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
    "SECURE_REDIRECT_EXEMPT": [r"^healthz$", r"^readyz$"],
}
