"""Each municipality's identity: display name, logo, accent colour, 問合せ先, accessibility and
privacy links — what the header, the footer and the PDF cover show on its pages — and the one
service that changes them.

The accent colour is refused when it cannot be read: ``contrast_ratio`` is WCAG 2's formula,
and ``accent_problems`` checks the colour against every background and text colour of the design
tokens it will meet (read from the stylesheets, as tests/dashboard/test_contrast.py does), at
the 4.5:1 of JIS X 8341-3 AA for text.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evaluations.choices import HistoryAction
from evaluations.provenance import Source
from evaluations.services.base import field_changes, record
from initiatives.access import reach_of
from initiatives.models import Municipality
from initiatives.roles import MANAGE_ROUND
from reformtracker import memos

AA_TEXT = 4.5  # WCAG 2 1.4.3 / JIS X 8341-3 AA: normal text
HEX = re.compile(r"#[0-9a-fA-F]{6}")
VAR = re.compile(r"var\((--[\w-]+)(?:,\s*([^)]+))?\)")

# What the accent colour meets: it is drawn as text and lines on these backgrounds, and white
# text is drawn on it (the logo band). Each as a CSS value of site.css / the tokens.
AGAINST = (
    (gettext_lazy("ページの背景"), "var(--bg)"),
    (gettext_lazy("表の見出しの背景"), "var(--color-neutral-solid-gray-50, #f2f2f2)"),
    (gettext_lazy("白抜きの文字"), "#ffffff"),
)

IDENTITY_FIELDS = (
    "display_name",
    "display_name_en",
    "logo_alt",
    "accent_colour",
    "contact",
    "contact_url",
    "accessibility_url",
    "privacy_url",
)

# Raster formats only: an SVG is a document that can carry script.
LOGO_TYPES = {"PNG": ("png", "image/png"), "JPEG": ("jpg", "image/jpeg")}
LOGO_MAX_SIDE = 2000


def luminance(hex_colour: str) -> float:
    """WCAG 2 relative luminance of #rrggbb."""
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours, 1 to 21."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _declarations(path: Path) -> dict[str, str]:
    text = path.read_text(encoding="utf-8")
    return {name: value.strip() for name, value in re.findall(r"(--[\w-]+)\s*:\s*([^;]+);", text)}


# The stylesheets ship with the code: read once per process.
@memos.lru(maxsize=1)
def _custom_properties() -> tuple[dict, dict]:
    static = Path(settings.BASE_DIR) / "static"
    return (
        _declarations(static / "css/site.css"),
        _declarations(static / "vendor/design-tokens/tokens.css"),
    )


def token_colour(value: str) -> str:
    """A CSS value (#rrggbb or var(--x, fallback)) resolved through site.css and the tokens."""
    value = value.strip()
    match = VAR.fullmatch(value)
    if match:
        site, tokens = _custom_properties()
        name, fallback = match.groups()
        return token_colour(site.get(name) or tokens.get(name) or fallback)
    if value.lower() in ("#fff", "white"):
        return "#ffffff"
    if value.lower() in ("#000", "black"):
        return "#000000"
    if not HEX.fullmatch(value):
        raise ValueError(f"not a colour: {value}")
    return value.lower()


def accent_problems(colour: str) -> list[str]:
    """Why ``colour`` cannot be the accent (empty when it can): each pairing under 4.5:1."""
    if not HEX.fullmatch(colour or ""):
        return [_("色は #1a5fb4 のように # と16進6桁で入力してください。")]
    problems = []
    for name, css in AGAINST:
        ratio = contrast_ratio(colour.lower(), token_colour(css))
        if ratio < AA_TEXT:
            problems.append(
                _(
                    "アクセント色 %(colour)s と%(what)s（%(other)s）のコントラスト比は"
                    "%(ratio).2f:1 です。4.5:1 以上の色を選んでください。"
                )
                % {
                    "colour": colour.lower(),
                    "what": name,
                    "other": token_colour(css),
                    "ratio": ratio,
                }
            )
    return problems


def site_name() -> str:
    """The site's name: settings.SITE_NAME, or the translated default."""
    return settings.SITE_NAME or _("市政改革の進捗")


def site_name_ja() -> str:
    """The site's name in Japanese (the PDF is Japanese whatever the request's language)."""
    from django.utils import translation

    with translation.override("ja"):
        return site_name()


def site_context(request) -> dict:
    """The site's name and operator for every template (a context processor)."""
    return {"site_name": site_name(), "site_operator": settings.SITE_OPERATOR}


@dataclass(frozen=True)
class Identity:
    """What a municipality's pages show of it (no query: read from the row)."""

    municipality: Municipality

    @property
    def name(self) -> str:
        from reformtracker.display import is_english

        m = self.municipality
        if is_english():
            return m.display_name_en or m.name_en or m.shown_name
        return m.shown_name

    @property
    def logo_url(self) -> str:
        from django.urls import reverse

        if not self.municipality.logo:
            return ""
        # The file's name holds a digest of its bytes: a new logo is a new address.
        return reverse("identity:logo", args=[self.municipality.slug, self.municipality.logo.name])

    @property
    def accent(self) -> str:
        return self.municipality.accent_colour

    def __getattr__(self, name):
        if name in IDENTITY_FIELDS:
            return getattr(self.municipality, name)
        raise AttributeError(name)


def identity_of(municipality: Municipality | None) -> Identity | None:
    return Identity(municipality) if municipality is not None else None


def municipality_for_office(user, slug: str, *, lock: bool = False) -> Municipality:
    """The municipality whose identity ``user`` may edit: its reform office (with the permission
    to manage its rounds) or a superuser. 404 outside the user's reach, 403 for an office member
    without the permission (as the report pages answer)."""
    queryset = Municipality.objects.all()
    if lock:
        queryset = queryset.select_for_update()
    municipality = queryset.filter(slug=slug).first()
    reach = reach_of(user)
    if municipality is None or not (
        reach.everything or municipality.pk in reach.office_municipalities
    ):
        raise Http404("No Municipality matches the given query.")
    if not (reach.everything or user.has_perm(MANAGE_ROUND)):
        raise PermissionDenied(_("この自治体の表示設定を変更する権限がありません。"))
    return municipality


def offices_of(user) -> list[Municipality]:
    """The municipalities whose identity ``user`` may edit."""
    reach = reach_of(user)
    if reach.everything:
        return list(Municipality.objects.order_by("slug"))
    if not user.has_perm(MANAGE_ROUND):
        return []
    return list(Municipality.objects.filter(pk__in=reach.office_municipalities).order_by("slug"))


def _logo_file(upload, slug: str) -> ContentFile:
    """The uploaded logo checked (size, a real PNG or JPEG, sane dimensions) and named by its
    digest; ValidationError in Japanese otherwise."""
    from PIL import Image, UnidentifiedImageError

    limit = settings.IDENTITY_LOGO_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            {"logo": _("ロゴ画像は%(kb)dKBまでにしてください。") % {"kb": limit // 1024}}
        )
    data = upload.read(limit + 1)
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError({"logo": _("ロゴ画像はPNGかJPEGの画像にしてください。")}) from None
    if kind not in LOGO_TYPES:
        raise ValidationError({"logo": _("ロゴ画像はPNGかJPEGの画像にしてください。")})
    if max(width, height) > LOGO_MAX_SIDE:
        raise ValidationError(
            {
                "logo": _("ロゴ画像の縦横は%(px)dピクセルまでにしてください。")
                % {"px": LOGO_MAX_SIDE}
            }
        )
    extension = LOGO_TYPES[kind][0]
    digest = hashlib.sha256(data).hexdigest()[:16]
    return ContentFile(data, name=f"{slug}-{digest}.{extension}")


def logo_storage():
    """Where logos are kept (settings.STORAGES["logos"], looked up now, so that a changed
    setting, as in tests, is followed)."""
    from django.core.files.storage import storages

    return storages["logos"]


def logo_content_type(name: str) -> str:
    extension = name.rsplit(".", 1)[-1]
    for ext, content_type in LOGO_TYPES.values():
        if ext == extension:
            return content_type
    return "application/octet-stream"


def _recorded(municipality: Municipality) -> dict:
    """The identity as its history records it (the contact's source included)."""
    values = {name: getattr(municipality, name) for name in IDENTITY_FIELDS}
    values["logo"] = municipality.logo.name
    values["contact_source"] = municipality.contact_source
    published_on = municipality.contact_source_published_on
    values["contact_source_published_on"] = published_on.isoformat() if published_on else ""
    return values


def contact_source(municipality: Municipality):
    """The document the municipality's 問合せ先 was quoted from (a provenance.Source), or None
    when the office wrote it itself."""
    if not (municipality.contact and municipality.contact_source):
        return None
    return Source(municipality.contact_source, "", municipality.contact_source_published_on)


@transaction.atomic
def update_identity(
    *, user, slug: str, values: dict, logo=None, remove_logo: bool = False
) -> Municipality:
    """The reform office changes how its municipality's pages present it: one transaction that
    checks who may, validates (the accent colour's contrast included), stores a new logo and
    writes the history row with each field before and after."""
    municipality = municipality_for_office(user, slug, lock=True)
    before = _recorded(municipality)
    for name in IDENTITY_FIELDS:
        if name in values:
            value = values[name] or ""
            setattr(municipality, name, value.lower() if name == "accent_colour" else value)
    if municipality.contact != before["contact"]:
        # The office's own words now: no longer the quotation the source was named for.
        municipality.contact_source = ""
        municipality.contact_source_published_on = None
    errors = {}
    if municipality.accent_colour:
        problems = accent_problems(municipality.accent_colour)
        if problems:
            errors["accent_colour"] = problems
    new_logo = None
    if logo is not None:
        try:
            new_logo = _logo_file(logo, municipality.slug)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    storage = logo_storage()
    if new_logo is not None:
        # Named by its digest: the same image uploaded again is the file already kept.
        name = new_logo.name
        if not storage.exists(name):
            name = storage.save(name, new_logo)
        municipality.logo.name = name
    elif remove_logo:
        municipality.logo.name = ""
    municipality.full_clean()
    municipality.save()
    changes = field_changes(before, _recorded(municipality))
    if changes:
        record(
            HistoryAction.MUNICIPALITY_IDENTITY,
            actor=user,
            subject_type="municipality",
            subject_id=municipality.pk,
            subject_repr=str(municipality),
            changes=changes,
        )
    return municipality
