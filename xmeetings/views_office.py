"""The reform office's X会議 pages (/office/meetings/…): its plans' meetings, each meeting's
議題, 資料 and linked initiatives, added, edited and removed.

Only the reform office of the plan's own municipality: every object is fetched through
evaluations.services.meetings (outside the office's reach: 404; in reach without the right to
manage the plan: 403), and every change is one of its service functions, which writes the
history and refuses a save made over someone else's (409; the forms carry the meeting's token or
their section's: evaluations.services.meeting_versions).

Every form posts and redirects without JavaScript (POST/redirect/GET); a refused one is shown
again with its errors (422) or with what changed and the text as typed (409). With htmx, the
meeting's 議題, 資料 and linked initiatives are fragments of the page (``{% partialdef %}``):
each change there swaps its section in place, with a notice, an error or the conflict that
static/js/staff-focus.js moves focus to; the details and 開催済 forms swap themselves when
refused and reload the page once saved. How each answer is made: xmeetings.office_responses.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from evaluations.services import meetings as services
from evaluations.services.plan_edits import Stale
from initiatives.access import manages_rounds
from initiatives.models import Plan
from reformtracker.htmx_auth import login_required
from xmeetings import office_responses as pages
from xmeetings.forms_office import (
    HeldForm,
    LinkForm,
    MaterialForm,
    MeetingForm,
    RowForm,
    TopicForm,
)
from xmeetings.models import Meeting, MeetingMaterial, MeetingTopic


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
        return pages.submit(
            request,
            form,
            lambda data: services.create_meeting(user=request.user, plan_slug=plan.slug, **data),
            notice=_("X会議を登録しました。"),
            done=lambda meeting: pages.meeting_url(meeting.pk),
            refused=lambda form: _plan_page(request, plan, form, pages.INVALID),
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
    template = "xmeetings/office/plan_meetings.html"
    if request.htmx and status != 200:
        template += "#form"
    return render(
        request,
        template,
        {"plan": plan, "form": form, "items": page, "meetings": list(page.object_list)},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
def meeting_detail(request, pk):
    """One meeting: its fields (POST edits them), 開催済, 議題, 資料 and linked initiatives."""
    meeting = services.meeting_for_office(request.user, pk)
    if request.method == "POST":
        return pages.meeting_submit(
            request,
            meeting,
            MeetingForm(request.POST, prefix="meeting"),
            "meeting_form",
            lambda data: services.edit_meeting(user=request.user, meeting_id=pk, **data),
            _("X会議を更新しました。"),
        )
    return pages.meeting_page(request, meeting)


@require_POST
@login_required
def meeting_held(request, pk):
    meeting = services.meeting_for_office(request.user, pk)
    return pages.meeting_submit(
        request,
        meeting,
        HeldForm(request.POST, prefix="held"),
        "held_form",
        lambda data: services.mark_meeting_held(user=request.user, meeting_id=pk, **data),
        _("開催済として登録しました。"),
    )


@require_POST
@login_required
def meeting_delete(request, pk):
    meeting = services.meeting_for_office(request.user, pk)
    slug = meeting.plan.slug
    form = RowForm(request.POST)
    try:
        token = form.cleaned_data["token"] if form.is_valid() else ""
        services.delete_meeting(user=request.user, meeting_id=pk, token=token)
    except Stale as stale:
        messages.error(request, str(stale))
        return redirect(pages.meeting_url(pk))
    messages.success(request, _("X会議を削除しました。"))
    return redirect("meetings_office:plan", slug=slug)


@require_POST
@login_required
def topic_add(request, pk):
    meeting = services.meeting_for_office(request.user, pk)
    return pages.section_submit(
        request,
        meeting,
        "topics",
        TopicForm(request.POST, prefix="topic"),
        "topic_form",
        lambda data: services.add_topic(user=request.user, meeting_id=pk, **data),
        _("議題を追加しました。"),
    )


def _topic(request, topic_id) -> MeetingTopic:
    topic = MeetingTopic.objects.filter(pk=topic_id, meeting__isnull=False).first()
    if topic is None:
        raise Http404
    topic.meeting = services.meeting_for_office(request.user, topic.meeting_id)
    return topic


@require_POST
@login_required
def topic_change(request, topic_id):
    """Renames (``name``), moves (``move``: up or down) or removes (``remove``) a 議題."""
    topic = _topic(request, topic_id)
    user, kept = request.user, None
    if "remove" in request.POST:

        def act(data):
            services.remove_topic(user=user, topic_id=topic.pk, token=data["token"])

        notice = _("議題「%(name)s」を削除しました。") % {"name": topic.name}
    elif request.POST.get("move") in ("up", "down"):
        step = -1 if request.POST["move"] == "up" else 1

        def act(data):
            services.move_topic(user=user, topic_id=topic.pk, step=step, token=data["token"])

        notice = _("議題「%(name)s」の順番を変更しました。") % {"name": topic.name}
    else:
        kept = {"pk": topic.pk, "name": request.POST.get("name", "")[:200]}

        def act(data):
            services.rename_topic(
                user=user, topic_id=topic.pk, name=data["name"], token=data["token"]
            )

        notice = _("議題を「%(name)s」に更新しました。") % {"name": kept["name"].strip()}
    return pages.row(request, topic.meeting, "topics", act, notice, kept=kept)


@require_POST
@login_required
def material_add(request, pk):
    meeting = services.meeting_for_office(request.user, pk)
    return pages.section_submit(
        request,
        meeting,
        "materials",
        MaterialForm(request.POST, request.FILES, prefix="material"),
        "material_form",
        lambda data: services.add_material(
            user=request.user,
            meeting_id=pk,
            title=data["title"],
            url=data["url"],
            upload=data["file"],
            is_public=data["is_public"],
            token=data["token"],
        ),
        _("資料を追加しました。"),
    )


def _material(request, material_id) -> MeetingMaterial:
    item = MeetingMaterial.objects.filter(pk=material_id).first()
    if item is None:
        raise Http404
    item.meeting = services.meeting_for_office(request.user, item.meeting_id)
    return item


@require_POST
@login_required
def material_change(request, material_id):
    """Removes (``remove``) a 資料, or makes it public or not (``is_public``)."""
    item = _material(request, material_id)
    user = request.user
    if "remove" in request.POST:

        def act(data):
            services.remove_material(user=user, material_id=item.pk, token=data["token"])

        notice = _("資料「%(title)s」を削除しました。") % {"title": item.title}
    else:
        title = request.POST.get("title", item.title)[:300]
        is_public = request.POST.get("is_public") == "1"

        def act(data):
            services.edit_material(
                user=user,
                material_id=item.pk,
                title=title,
                is_public=is_public,
                token=data["token"],
            )

        notice = (
            _("資料「%(title)s」を公開にしました。")
            if is_public
            else _("資料「%(title)s」を非公開にしました。")
        ) % {"title": title}
    return pages.row(request, item.meeting, "materials", act, notice)


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
    return pages.section_submit(
        request,
        meeting,
        "links",
        LinkForm(request.POST, plan=meeting.plan, prefix="link"),
        "link_form",
        lambda data: services.link_initiative(
            user=request.user,
            meeting_id=pk,
            initiative_id=data["initiative"].pk,
            token=data["token"],
        ),
        _("取組項目を関連付けました。"),
    )


@require_POST
@login_required
def link_remove(request, pk, initiative_id):
    meeting = services.meeting_for_office(request.user, pk)
    return pages.row(
        request,
        meeting,
        "links",
        lambda data: services.unlink_initiative(
            user=request.user, meeting_id=pk, initiative_id=initiative_id, token=data["token"]
        ),
        _("取組項目の関連付けを解除しました。"),
    )
