"""The MDN HTTP Observatory's score, computed from one response's headers.

The rules of its tests that read response headers, with the modifiers Mozilla publishes
(https://developer.mozilla.org/en-US/observatory/docs/tests_and_scoring; the same table as
mozilla/http-observatory's docs/scoring.md): Content Security Policy, cookies, CORS, Referrer
Policy, HSTS, Subresource Integrity, X-Content-Type-Options, X-Frame-Options and
Cross-Origin-Resource-Policy. Redirection needs a real HTTP-to-HTTPS hop and is left out (0).

Scoring as Mozilla's: start at 100, take off every penalty; only if that leaves 90 or more, add
the bonuses.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

SIX_MONTHS = 15768000
PRIVATE_REFERRER = {
    "no-referrer",
    "same-origin",
    "strict-origin",
    "strict-origin-when-cross-origin",
}
UNSAFE_REFERRER = {"origin", "origin-when-cross-origin", "unsafe-url"}
REFERRER_VALUES = PRIVATE_REFERRER | UNSAFE_REFERRER | {"no-referrer-when-downgrade"}


def parse_csp(header: str) -> dict[str, list[str]]:
    policy: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            # The first occurrence of a directive counts (CSP3 2.2.1).
            policy.setdefault(words[0].lower(), [w.lower() for w in words[1:]])
    return policy


def _broad(sources: list[str]) -> bool:
    return any(s in {"*", "http:", "https:", "data:"} for s in sources)


def csp(headers) -> tuple[str, int]:
    header = headers.get("Content-Security-Policy")
    if not header:
        return "csp-not-implemented", -25
    policy = parse_csp(header)
    default = policy.get("default-src")
    script = policy.get("script-src", default)
    objects = policy.get("object-src", default)
    style = policy.get("style-src", default)
    if script is None or objects is None:
        return "csp-implemented-with-unsafe-inline", -20  # script or object sources unrestricted
    if "'unsafe-inline'" in script or _broad(script) or _broad(objects):
        return "csp-implemented-with-unsafe-inline", -20
    active = [v for k, v in policy.items() if k not in {"img-src", "media-src"}]
    if any(s.startswith("http:") or s.startswith("http://") for v in active for s in v):
        return "csp-implemented-with-insecure-scheme", -20
    if "'unsafe-eval'" in script:
        return "csp-implemented-with-unsafe-eval", -10
    passive = policy.get("img-src", []) + policy.get("media-src", [])
    if any(s.startswith("http:") for s in passive):
        return "csp-implemented-with-insecure-scheme-in-passive-content-only", -10
    if style is not None and ("'unsafe-inline'" in style or _broad(style)):
        return "csp-implemented-with-unsafe-inline-in-style-src-only", 0
    if default == ["'none'"]:
        return "csp-implemented-with-no-unsafe-default-src-none", 10
    return "csp-implemented-with-no-unsafe", 5


def cookies(response, hsts: bool) -> tuple[str, int]:
    jar = list(response.cookies.values())
    if not jar:
        return "cookies-not-found", 0
    results = []
    for morsel in jar:
        name = morsel.key.lower()
        session = "sess" in name or "login" in name
        samesite = (morsel["samesite"] or "").lower()
        if session and not morsel["secure"]:
            results.append(
                ("cookies-session-without-secure-flag-but-protected-by-hsts", -10)
                if hsts
                else ("cookies-session-without-secure-flag", -40)
            )
        if session and not morsel["httponly"]:
            results.append(("cookies-session-without-httponly-flag", -30))
        if "csrf" in name and not samesite:
            results.append(("cookies-anticsrf-without-samesite-flag", -20))
        if samesite and samesite not in {"strict", "lax"}:
            results.append(("cookies-samesite-flag-invalid", -20))
        if not morsel["secure"]:
            results.append(
                ("cookies-without-secure-flag-but-protected-by-hsts", -5)
                if hsts
                else ("cookies-without-secure-flag", -20)
            )
    if results:
        return min(results, key=lambda r: r[1])
    if all((m["samesite"] or "").lower() in {"strict", "lax"} for m in jar):
        return "cookies-secure-with-httponly-sessions-and-samesite", 5
    return "cookies-secure-with-httponly-sessions", 0


def cors(headers, request_origin: str | None = None) -> tuple[str, int]:
    allow = headers.get("Access-Control-Allow-Origin")
    if not allow:
        return "cross-origin-resource-sharing-not-implemented", 0
    credentials = headers.get("Access-Control-Allow-Credentials", "").lower() == "true"
    if credentials and allow != "null" and (allow == "*" or allow == request_origin):
        return "cross-origin-resource-sharing-implemented-with-universal-access", -50
    if allow == "*":
        return "cross-origin-resource-sharing-implemented-with-public-access", 0
    return "cross-origin-resource-sharing-implemented-with-restricted-access", 0


def referrer_policy(headers) -> tuple[str, int]:
    header = headers.get("Referrer-Policy")
    if header is None:
        return "referrer-policy-not-implemented", 0
    # Browsers use the last value they understand.
    known = [v.strip().lower() for v in header.split(",") if v.strip().lower() in REFERRER_VALUES]
    if not known:
        return "referrer-policy-header-invalid", -5
    if known[-1] in PRIVATE_REFERRER:
        return "referrer-policy-private", 5
    if known[-1] in UNSAFE_REFERRER:
        return "referrer-policy-unsafe", -5
    return "referrer-policy-no-referrer-when-downgrade", 0


def hsts(headers) -> tuple[str, int]:
    header = headers.get("Strict-Transport-Security")
    if not header:
        return "hsts-not-implemented", -20
    match = re.search(r"max-age\s*=\s*\"?(\d+)\"?", header, re.IGNORECASE)
    if not match:
        return "hsts-header-invalid", -20
    if int(match.group(1)) < SIX_MONTHS:
        return "hsts-implemented-max-age-less-than-six-months", -10
    return "hsts-implemented-max-age-at-least-six-months", 0  # preloading is not a header


class _Scripts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts: list[dict] = []

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.scripts.append(dict(attrs))


def sri(response, host: str) -> tuple[str, int]:
    if not response.get("Content-Type", "").startswith("text/html"):
        return "sri-not-implemented-response-not-html", 0
    parser = _Scripts()
    parser.feed(response.content.decode())
    scripts = [s for s in parser.scripts if s.get("src")]
    if not scripts:
        return "sri-not-implemented-but-no-scripts-loaded", 0
    external = [s for s in scripts if urlsplit(s["src"]).netloc not in {"", host}]
    insecure = [s for s in external if not s["src"].startswith(("https:", "//"))]
    with_integrity = all("integrity" in s for s in external) and external
    if insecure:
        return (
            ("sri-implemented-but-external-scripts-not-loaded-securely", -20)
            if with_integrity
            else ("sri-not-implemented-and-external-scripts-not-loaded-securely", -50)
        )
    if external and not with_integrity:
        return "sri-not-implemented-but-external-scripts-loaded-securely", -5
    if external:
        return "sri-implemented-and-external-scripts-loaded-securely", 5
    if all("integrity" in s for s in scripts):
        return "sri-implemented-and-all-scripts-loaded-securely", 5
    return "sri-not-implemented-but-all-scripts-loaded-from-secure-origin", 0


def x_content_type_options(headers) -> tuple[str, int]:
    header = headers.get("X-Content-Type-Options")
    if header is None:
        return "x-content-type-options-not-implemented", -5
    if header.strip().lower() != "nosniff":
        return "x-content-type-options-header-invalid", -5
    return "x-content-type-options-nosniff", 0


def x_frame_options(headers) -> tuple[str, int]:
    policy = parse_csp(headers.get("Content-Security-Policy") or "")
    if "frame-ancestors" in policy:
        return "x-frame-options-implemented-via-csp", 5
    header = (headers.get("X-Frame-Options") or "").strip().upper()
    if not header:
        return "x-frame-options-not-implemented", -20
    if header in {"DENY", "SAMEORIGIN"}:
        return "x-frame-options-sameorigin-or-deny", 0
    if header.startswith("ALLOW-FROM "):
        return "x-frame-options-allow-from-origin", 0
    return "x-frame-options-header-invalid", -20


def cross_origin_resource_policy(headers) -> tuple[str, int]:
    header = headers.get("Cross-Origin-Resource-Policy")
    if header is None:
        return "corp-not-implemented", 0
    value = header.strip().lower()
    if value in {"same-origin", "same-site", "cross-origin"}:
        return f"corp-implemented-with-{value}", 0
    return "corp-header-invalid", -5


def score(response, host: str = "testserver") -> tuple[int, dict[str, tuple[str, int]]]:
    """The score and each test's (result, modifier) for one response."""
    headers = response.headers
    results = {
        "content-security-policy": csp(headers),
        "cookies": cookies(response, hsts=hsts(headers)[1] == 0),
        "cross-origin-resource-sharing": cors(headers),
        "referrer-policy": referrer_policy(headers),
        "strict-transport-security": hsts(headers),
        "subresource-integrity": sri(response, host),
        "x-content-type-options": x_content_type_options(headers),
        "x-frame-options": x_frame_options(headers),
        "cross-origin-resource-policy": cross_origin_resource_policy(headers),
    }
    total = 100 + sum(m for _, m in results.values() if m < 0)
    if total >= 90:
        total += sum(m for _, m in results.values() if m > 0)
    return max(total, 0), results
