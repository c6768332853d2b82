"""How the reform office's X会議 pages answer a form (xmeetings/views_office.py): saved, the
page (POST/redirect/GET) or, with htmx, the changed section with its notice; refused, the form
again with its errors (422) or with what changed and the text as typed (409). One template per
page; htmx gets one of its ``{% partialdef %}`` fragments, whose notice, error or conflict
carries data-swap-focus for static/js/staff-focus.js.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from evaluations.services import meeting_versions as versions
from evaluations.services.plan_edits import Stale
from reformtracker.forms import add_errors
from xmeetings.forms_office import HeldForm, LinkForm, MaterialForm, MeetingForm, RowForm, TopicForm
from xmeetings.models import Meeting

CONFLICT = 409
INVALID = 422
TEMPLATE = "xmeetings/office/meeting.html"


def meeting_url(meeting_id: int) -> str:
    return reverse("meetings_office:meeting", args=[meeting_id])


def with_token(form, token: str) -> None:
    """Puts the stored state's token in a refused form: after reading what the other person
    saved, saving the typed text again is a deliberate overwrite."""
    form.data = form.data.copy()
    form.data[form.add_prefix("token")] = token


def submit(request, form, act, *, notice: str, done, refused):
    """A form whose success leaves the page: a valid form goes to the service (``act``), a
    success says ``notice`` and goes to ``done(result)`` (a redirect, or htmx's); a refusal (the
    form's own checks or the service's ValidationError, put at its field) is ``refused(form)``,
    answered with 422."""
    if form.is_valid():
        try:
            result = act(form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, notice)
            if request.htmx:
                return HttpResponseClientRedirect(done(result))
            return redirect(done(result))
    return refused(form)


def meeting_page(request, meeting, status=200, *, fragment=None, **extra):
    """The meeting's page, or with htmx one fragment of it (``fragment``). ``extra`` holds a
    refused form under its context name, and what to say in ``section``: ``notice``, ``error``,
    ``changes`` (a conflict in a section) or ``conflict`` (rows of the meeting's fields)."""
    meeting = Meeting.objects.select_related("plan__municipality").get(pk=meeting.pk)
    token = versions.meeting_token(meeting)
    tokens = {section: versions.section_token(meeting, section) for section in versions.SECTIONS}
    context = {
        "meeting": meeting,
        "plan": meeting.plan,
        "phase": Meeting.Phase(meeting.phase_today).label,
        "meeting_token": token,
        "tokens": tokens,
        "meeting_form": MeetingForm.for_meeting(meeting, token=token),
        "held_form": HeldForm(prefix="held", initial={"token": token}),
        "topic_form": TopicForm(prefix="topic", initial={"token": tokens["topics"]}),
        "material_form": MaterialForm(prefix="material", initial={"token": tokens["materials"]}),
        "link_form": LinkForm(plan=meeting.plan, prefix="link", initial={"token": tokens["links"]}),
        "topics": list(meeting.topics.order_by("order", "pk")),
        "materials": list(meeting.materials.order_by("order", "pk")),
        "links": list(meeting.initiatives.order_by("order", "code", "pk")),
        **extra,
    }
    template = f"{TEMPLATE}#{fragment}" if request.htmx and fragment else TEMPLATE
    return render(request, template, context, status=status)


def meeting_conflict(meeting, form) -> list[tuple[str, str]]:
    """The meeting's stored fields the refused form differs on (the 開催済 form, which has none
    of them, is shown the stored status and date)."""
    rows = []
    for name, stored in MeetingForm.values_of(meeting).items():
        if name in form.fields:
            if str(form[name].value() or "") == str(stored or ""):
                continue
        elif name not in ("status", "date_text"):
            continue
        shown = Meeting.Status(stored).label if name == "status" else stored
        rows.append((str(MeetingForm.base_fields[name].label), str(shown or "—")))
    return rows


def meeting_submit(request, meeting, form, name, act, notice):
    """The details and 開催済 forms (``name`` in the page's context, and its fragment): saved,
    the page again; refused, the form again with its errors (422) or what the stored meeting
    says now (409)."""
    if form.is_valid():
        try:
            act(form.cleaned_data)
        except Stale:
            stored = Meeting.objects.get(pk=meeting.pk)
            with_token(form, versions.meeting_token(stored))
            conflict = meeting_conflict(stored, form)
            return meeting_page(
                request,
                meeting,
                CONFLICT,
                fragment=name,
                section=name,
                conflict=conflict,
                **{name: form},
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, notice)
            if request.htmx:
                return HttpResponseClientRedirect(meeting_url(meeting.pk))
            return redirect(meeting_url(meeting.pk))
    return meeting_page(request, meeting, INVALID, fragment=name, **{name: form})


def section_done(request, meeting, section, notice):
    if request.htmx:
        return meeting_page(request, meeting, fragment=section, section=section, notice=notice)
    messages.success(request, notice)
    return redirect(meeting_url(meeting.pk))


def section_submit(request, meeting, section, form, name, act, notice):
    """An add form of a section (``name`` in the page's context): saved, the section again with
    a notice; refused, the section with the form's errors (422) or with what changed in the
    section since it was loaded and the text as typed (409)."""
    if form.is_valid():
        try:
            act(form.cleaned_data)
        except versions.SectionStale as stale:
            with_token(form, versions.section_token(meeting, section))
            return meeting_page(
                request,
                meeting,
                CONFLICT,
                fragment=section,
                section=section,
                changes=stale.changes,
                **{name: form},
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return section_done(request, meeting, section, notice)
    return meeting_page(request, meeting, INVALID, fragment=section, **{name: form})


def row(request, meeting, section, act, notice, *, kept=None):
    """A button on one row of a section: the service with the section's token, then the
    section again with its notice; refused, with the reason (422) or what changed (409), a
    topic's typed name kept in its row (``kept``)."""
    form = RowForm(request.POST)
    if not form.is_valid():
        status = INVALID
        extra = {"error": _("操作を受け付けられませんでした。ページを読み込み直してください。")}
    else:
        try:
            act(form.cleaned_data)
        except versions.SectionStale as stale:
            status, extra = CONFLICT, {"changes": stale.changes}
        except ValidationError as exc:
            status, extra = INVALID, {"error": " ".join(exc.messages)}
        else:
            return section_done(request, meeting, section, notice)
    return meeting_page(
        request, meeting, status, fragment=section, section=section, kept=kept, **extra
    )
