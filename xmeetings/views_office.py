"""The reform office's X会議 pages (/office/meetings/…): its plans' meetings, each meeting's
議題, 資料 and linked initiatives, added, edited and removed.

Only the reform office of the plan's own municipality: every object is fetched through
evaluations.services.meetings (outside the office's reach: 404; in reach without the right to
manage the plan: 403), and every change is one of its service functions, which writes the
history. Plain forms that post and redirect (POST/redirect/GET); a refused form is shown again
with its errors (422).
"""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from evaluations.services import meetings as services
from initiatives.access import manages_rounds
from initiatives.models import Plan
from xmeetings.forms_office import HeldForm, LinkForm, MaterialForm, MeetingForm, TopicForm
from xmeetings.models import Meeting, MeetingMaterial, MeetingTopic

INVALID = 422


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _meeting_url(meeting_id: int) -> str:
    return reverse("meetings_office:meeting", args=[meeting_id])


def _submit(request, form, act, *, notice: str, done, refused):
    """The one way a form is handled: a valid form goes to the service (``act``), a success
    says ``notice`` and redirects to ``done(result)``; a refusal (the form's own checks or the
    service's ValidationError, put at its field) is ``refused(form)``, answered with 422."""
    if form.is_valid():
        try:
            result = act(form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, notice)
            return redirect(done(result))
    return refused(form)


def _button(request, act, *, notice: str, back: str):
    """A button's POST on a row (rename, move, remove, unlink): the service, its message (or
    the refusal's), back to the page."""
    try:
        act()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, notice)
    return redirect(back)


@require_GET
@login_required
def plan_list(request):
    """The plans whose X会議 the user keeps."""
    if not manages_rounds(request.user):
        raise PermissionDenied(_("X会議の管理は市政改革室の職員だけが行えます。"))
    plans = (
        Plan.objects.managed_by(request.user)
        .select_related("municipality")
        .annotate(meeting_count=Count("meetings"))
        .order_by("order", "slug")
    )
    return render(request, "xmeetings/office/plan_list.html", {"plans": plans})


@require_http_methods(["GET", "POST"])
@login_required
def plan_meetings(request, slug):
    """A plan's meetings, a page at a time by date, and the form to add one."""
    plan = services.plan_for_office(request.user, slug)
    form = MeetingForm(request.POST or None, prefix="meeting")
    if request.method == "POST":
        return _submit(
            request,
            form,
            lambda data: services.create_meeting(user=request.user, plan_slug=plan.slug, **data),
            notice=_("X会議を登録しました。"),
            done=lambda meeting: _meeting_url(meeting.pk),
            refused=lambda form: _plan_page(request, plan, form, INVALID),
        )
    return _plan_page(request, plan, form)


def _plan_page(request, plan, form, status=200):
    meetings = Meeting.objects.filter(plan=plan).annotate(
        topic_count=Count("topics", distinct=True),
        material_count=Count("materials", distinct=True),
        link_count=Count("initiatives", distinct=True),
    )
    page = Paginator(
        meetings.order_by("-earliest", "-number", "-pk"), settings.MEETINGS_PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "xmeetings/office/plan_meetings.html",
        {"plan": plan, "form": form, "items": page, "meetings": list(page.object_list)},
        status=status,
    )


def _meeting_page(request, meeting, status=200, **forms):
    meeting = Meeting.objects.select_related("plan__municipality").get(pk=meeting.pk)
    context = {
        "meeting": meeting,
        "plan": meeting.plan,
        "phase": Meeting.Phase(meeting.phase_today).label,
        "meeting_form": forms.get("meeting_form") or MeetingForm.for_meeting(meeting),
        "held_form": forms.get("held_form") or HeldForm(prefix="held"),
        "topic_form": forms.get("topic_form") or TopicForm(prefix="topic"),
        "material_form": forms.get("material_form") or MaterialForm(prefix="material"),
        "link_form": forms.get("link_form") or LinkForm(plan=meeting.plan, prefix="link"),
        "topics": list(meeting.topics.order_by("order", "pk")),
        "materials": list(meeting.materials.order_by("order", "pk")),
        "links": list(meeting.initiatives.order_by("order", "code", "pk")),
    }
    return render(request, "xmeetings/office/meeting.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def meeting_detail(request, pk):
    """One meeting: its fields (POST edits them), 開催済, 議題, 資料 and linked initiatives."""
    meeting = services.meeting_for_office(request.user, pk)
    if request.method == "POST":
        return _submit(
            request,
            MeetingForm(request.POST, prefix="meeting"),
            lambda data: services.edit_meeting(user=request.user, meeting_id=pk, **data),
            notice=_("X会議を更新しました。"),
            done=lambda _result: _meeting_url(pk),
            refused=lambda form: _meeting_page(request, meeting, INVALID, meeting_form=form),
        )
    return _meeting_page(request, meeting)


def _meeting_form(request, meeting, form, name, act, notice):
    """A form of the meeting page posted to its own address: on refusal the page again, with
    this form (``name`` in the page's context) showing its errors."""
    return _submit(
        request,
        form,
        act,
        notice=notice,
        done=lambda _result: _meeting_url(meeting.pk),
        refused=lambda form: _meeting_page(request, meeting, INVALID, **{name: form}),
    )


@require_POST
@login_required
def meeting_held(request, pk):
    meeting = services.meeting_for_office(request.user, pk)
    return _meeting_form(
        request,
        meeting,
        HeldForm(request.POST, prefix="held"),
        "held_form",
        lambda data: services.mark_meeting_held(
            user=request.user, meeting_id=pk, held_on=data["held_on"]
        ),
        _("開催済として登録しました。"),
    )


@require_POST
@login_required
def meeting_delete(request, pk):
    meeting = services.meeting_for_office(request.user, pk)
    slug = meeting.plan.slug
    services.delete_meeting(user=request.user, meeting_id=pk)
    messages.success(request, _("X会議を削除しました。"))
    return redirect("meetings_office:plan", slug=slug)


@require_POST
@login_required
def topic_add(request, pk):
    meeting = services.meeting_for_office(request.user, pk)
    return _meeting_form(
        request,
        meeting,
        TopicForm(request.POST, prefix="topic"),
        "topic_form",
        lambda data: services.add_topic(user=request.user, meeting_id=pk, name=data["name"]),
        _("議題を追加しました。"),
    )


def _topic(request, topic_id) -> MeetingTopic:
    topic = MeetingTopic.objects.filter(pk=topic_id, meeting__isnull=False).first()
    if topic is None:
        raise Http404
    services.meeting_for_office(request.user, topic.meeting_id)
    return topic


@require_POST
@login_required
def topic_change(request, topic_id):
    """Renames (``name``), moves (``move``: up or down) or removes (``remove``) a 議題."""
    topic = _topic(request, topic_id)
    if "remove" in request.POST:
        act = partial(services.remove_topic, user=request.user, topic_id=topic.pk)
        notice = _("議題を削除しました。")
    elif request.POST.get("move") in ("up", "down"):
        step = -1 if request.POST["move"] == "up" else 1
        act = partial(services.move_topic, user=request.user, topic_id=topic.pk, step=step)
        notice = _("議題の順番を変更しました。")
    else:
        act = partial(
            services.rename_topic,
            user=request.user,
            topic_id=topic.pk,
            name=request.POST.get("name", ""),
        )
        notice = _("議題を更新しました。")
    return _button(request, act, notice=notice, back=_meeting_url(topic.meeting_id))


@require_POST
@login_required
def material_add(request, pk):
    meeting = services.meeting_for_office(request.user, pk)
    return _meeting_form(
        request,
        meeting,
        MaterialForm(request.POST, request.FILES, prefix="material"),
        "material_form",
        lambda data: services.add_material(
            user=request.user,
            meeting_id=pk,
            title=data["title"],
            url=data["url"],
            upload=data["file"],
            is_public=data["is_public"],
        ),
        _("資料を追加しました。"),
    )


def _material(request, material_id) -> MeetingMaterial:
    item = MeetingMaterial.objects.filter(pk=material_id).first()
    if item is None:
        raise Http404
    services.meeting_for_office(request.user, item.meeting_id)
    return item


@require_POST
@login_required
def material_change(request, material_id):
    """Removes (``remove``) a 資料, or makes it public or not (``is_public``)."""
    item = _material(request, material_id)
    if "remove" in request.POST:
        act = partial(services.remove_material, user=request.user, material_id=item.pk)
        notice = _("資料を削除しました。")
    else:
        act = partial(
            services.edit_material,
            user=request.user,
            material_id=item.pk,
            title=request.POST.get("title", item.title),
            is_public=request.POST.get("is_public") == "1",
        )
        notice = _("資料を更新しました。")
    return _button(request, act, notice=notice, back=_meeting_url(item.meeting_id))


@require_GET
@login_required
def material_file(request, material_id):
    """The office's download of a material file, public or not."""
    item = services.material_for_office(request.user, material_id)
    if not item.file_path:
        raise Http404
    try:
        handle = services.material_storage().open(item.file_path, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=item.file_name, content_type=item.content_type
    )
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@login_required
def link_add(request, pk):
    meeting = services.meeting_for_office(request.user, pk)
    return _meeting_form(
        request,
        meeting,
        LinkForm(request.POST, plan=meeting.plan, prefix="link"),
        "link_form",
        lambda data: services.link_initiative(
            user=request.user, meeting_id=pk, initiative_id=data["initiative"].pk
        ),
        _("取組項目を関連付けました。"),
    )


@require_POST
@login_required
def link_remove(request, pk, initiative_id):
    services.meeting_for_office(request.user, pk)
    return _button(
        request,
        lambda: services.unlink_initiative(
            user=request.user, meeting_id=pk, initiative_id=initiative_id
        ),
        notice=_("取組項目の関連付けを解除しました。"),
        back=_meeting_url(pk),
    )
