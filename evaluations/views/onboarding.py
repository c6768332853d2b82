"""The onboarding pages: the first-run setup of an empty site, the operator's municipalities,
and a municipality's reform office setting up its plan (template → upload → preview →
confirm, as the 照会票 import does) and its staff accounts.

Every change goes through evaluations.services.onboarding; municipalities are fetched through
``municipality_for_office`` (another city's: 404). Every form works without JavaScript.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.tokens import default_token_generator
from django.contrib.auth.views import PasswordResetConfirmView
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from evaluations.onboarding import reader, template, uploads
from evaluations.onboarding.forms import MemberForm, MunicipalityForm, OperatorForm, UploadForm
from evaluations.onboarding.validate import check
from evaluations.services import onboarding as services
from evaluations.workbooks.problems import ImportRejected, Problem
from initiatives.models import Membership, Municipality, Plan
from reformtracker.forms import add_errors

INVALID = 422
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _set_password_link(request, user) -> str:
    path = reverse(
        "onboarding:set_password",
        args=[
            urlsafe_base64_encode(force_bytes(user.pk)),
            default_token_generator.make_token(user),
        ],
    )
    return request.build_absolute_uri(path)


def _created(request, user, what: str) -> None:
    if user.has_usable_password():
        messages.success(request, _("%(what)sを登録しました。") % {"what": what})
    else:
        messages.success(
            request,
            _(
                "%(what)sを登録しました。本人に次のリンクを伝え、パスワードを決めてもらってください"
                "（リンクは一度だけ、%(days)d日間有効）：%(link)s"
            )
            % {
                "what": what,
                "days": settings.PASSWORD_RESET_TIMEOUT // 86400,
                "link": _set_password_link(request, user),
            },
        )


# --- first run -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def first_run(request):
    """On an empty site, registers the operator; afterwards the page is gone (404) for good."""
    if not services.setup_is_open():
        raise Http404
    form = OperatorForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                user = services.create_operator(**form.account())
            except services.SetupClosed:
                raise Http404 from None
            except ValidationError as exc:
                form.add_error("password", exc)
            else:
                login(request, user, backend="reformtracker.auth_backends.ModelBackend")
                messages.success(request, _("運用者を登録しました。次に自治体を登録してください。"))
                return redirect("onboarding:municipalities")
        status = INVALID
    return render(request, "evaluations/onboarding/first_run.html", {"form": form}, status=status)


# --- the operator's municipalities --------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def municipalities(request):
    """The operator's list of municipalities and the form to register one; a reform office
    member is sent on to their own municipality's page."""
    if not request.user.is_superuser:
        own = services.office_municipalities(request.user)
        if len(own) == 1:
            return redirect("onboarding:municipality", slug=own[0].slug)
    services.require_operator(request.user)
    form = MunicipalityForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                municipality, _office, member = services.create_municipality(
                    user=request.user,
                    municipality=form.save(commit=False),
                    office=form.office(),
                    account=form.account(),
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                _created(
                    request,
                    member,
                    _("%(name)sと改革担当所属のアカウント「%(user)s」")
                    % {"name": municipality.name, "user": member.username},
                )
                return redirect("onboarding:municipalities")
        status = INVALID
    rows = Municipality.objects.order_by("prefecture", "slug")
    return render(
        request,
        "evaluations/onboarding/municipalities.html",
        {"form": form, "municipalities": rows},
        status=status,
    )


class SetPassword(PasswordResetConfirmView):
    """The link a new account's holder follows to choose their first password."""

    template_name = "evaluations/onboarding/set_password.html"
    success_url = reverse_lazy("login")
    post_reset_login = False

    def form_valid(self, form):
        messages.success(self.request, _("パスワードを設定しました。ログインしてください。"))
        return super().form_valid(form)


# --- a municipality's office ---------------------------------------------------------------------


def _office(view):
    @wraps(view)
    @login_required
    def wrapper(request, slug, *args, **kwargs):
        return view(request, services.municipality_for_office(request.user, slug), *args, **kwargs)

    return wrapper


@require_GET
@_office
def municipality(request, municipality):
    plans = Plan.objects.filter(municipality=municipality).order_by("order", "slug")
    return render(
        request,
        "evaluations/onboarding/municipality.html",
        {
            "municipality": municipality,
            "plans": plans,
            "members": Membership.objects.filter(department__municipality=municipality).count(),
        },
    )


@require_GET
@_office
def plan_template(request, municipality):
    response = HttpResponse(template.build(municipality), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{template.filename(municipality)}"'
    return response


def _session_key(token: str) -> str:
    return f"plan-workbook:{token}"


def _upload_page(request, municipality, status=200, **context):
    context = {
        "municipality": municipality,
        "form": context.pop("form", None) or UploadForm(),
        "max_mb": settings.IMPORT_MAX_UPLOAD_BYTES // 1024 // 1024,
        **context,
    }
    template_name = "evaluations/onboarding/plan_upload.html"
    if request.htmx:
        template_name += "#result"
    return render(request, template_name, context, status=status)


@require_http_methods(["GET", "POST"])
@_office
def plan_upload(request, municipality):
    if request.method == "GET":
        return _upload_page(request, municipality)
    form = UploadForm(request.POST, request.FILES)
    upload = request.FILES.get("file")
    max_mb = settings.IMPORT_MAX_UPLOAD_BYTES // 1024 // 1024
    if upload is None:
        problems = [Problem(_("ファイルを選んでください。"))]
    elif upload.size > settings.IMPORT_MAX_UPLOAD_BYTES:
        problems = [Problem(_("ファイルが大きすぎます（上限 %(mb)dMB）。") % {"mb": max_mb})]
    else:
        try:
            parsed = reader.parse(upload.read(), filename=upload.name)
            preview = check(parsed, municipality)
        except ImportRejected as exc:
            problems = exc.problems
        else:
            problems = []
    if problems:
        return _upload_page(request, municipality, INVALID, form=form, problems=problems)
    token = uploads.store(parsed)
    request.session[_session_key(token)] = municipality.slug
    if request.htmx:
        return _upload_page(request, municipality, preview=preview, token=token)
    return redirect("onboarding:plan_preview", slug=municipality.slug, token=token)


def _with_upload(view):
    """Hands ``view`` the user's own kept upload for this municipality; another user's token
    is 404; one no longer kept sends the user back to upload again."""

    @wraps(view)
    def wrapper(request, municipality, token):
        if request.session.get(_session_key(token)) != municipality.slug:
            raise Http404
        parsed = uploads.read(token)
        if parsed is None:
            messages.error(
                request,
                _(
                    "アップロードしたファイルの保存期間（%(hours)d時間）が過ぎたか、既に登録されています。"
                    "もう一度アップロードしてください。"
                )
                % {"hours": settings.IMPORT_UPLOAD_MAX_AGE_HOURS},
            )
            return redirect("onboarding:plan_upload", slug=municipality.slug)
        return view(request, municipality, token, parsed)

    return wrapper


@require_GET
@_office
@_with_upload
def plan_preview(request, municipality, token, parsed):
    try:
        preview = check(parsed, municipality)
    except ImportRejected as exc:
        return _upload_page(request, municipality, INVALID, problems=exc.problems)
    return _upload_page(request, municipality, preview=preview, token=token)


@require_POST
@_office
@_with_upload
def plan_confirm(request, municipality, token, parsed):
    try:
        plan = services.import_plan(user=request.user, municipality=municipality, parsed=parsed)
    except ImportRejected as exc:
        return _upload_page(request, municipality, INVALID, problems=exc.problems)
    uploads.discard(token)
    request.session.pop(_session_key(token), None)
    messages.success(
        request,
        _("計画「%(plan)s」を登録しました（柱%(pillars)d、取組項目%(items)d）。")
        % {
            "plan": plan.title,
            "pillars": plan.pillars.count(),
            "items": plan.initiatives.count(),
        },
    )
    return redirect("onboarding:municipality", slug=municipality.slug)


@require_http_methods(["GET", "POST"])
@_office
def members(request, municipality):
    form = MemberForm(request.POST or None, municipality=municipality)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                user = services.add_member(
                    user=request.user,
                    municipality=municipality,
                    department=form.cleaned_data["department"],
                    account=form.account(),
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                _created(
                    request,
                    user,
                    _("%(department)sのアカウント「%(user)s」")
                    % {"department": form.cleaned_data["department"].name, "user": user.username},
                )
                return redirect("onboarding:members", slug=municipality.slug)
        status = INVALID
    rows = (
        Membership.objects.filter(department__municipality=municipality)
        .select_related("user", "department")
        .order_by("department__code", "user__username")
    )
    return render(
        request,
        "evaluations/onboarding/members.html",
        {"municipality": municipality, "form": form, "memberships": rows},
        status=status,
    )
