"""X会議 as the reform office keeps them: the meetings of its own plans, their 議題 (topics, in
order), 資料 (a link or a checked file, public or not) and the initiatives they concern.

Every function takes the acting ``user`` and refuses what is outside the reform office of the
meeting's plan (404 outside its reach, 403 for someone in reach who does not manage the plan:
initiatives.access.manages_plan), runs in one transaction and writes its HistoryEvent there:
creations, edits and deletions through evaluations.masterdata (every field before → after, a
deleted meeting's topics and materials included), marking held and linking with actions of their
own. Here rather than in ``xmeetings`` because the history lives in ``evaluations``.

No lost update: each change takes the ``token`` its form carried and checks it
(evaluations.services.meeting_versions) once it holds the meeting's row lock; every function
that writes a meeting's topics, materials or links locks the meeting's row first, so the check
and the write cannot interleave. ``token=None`` skips the check: for callers holding no form
(fixtures, the admin); the office's pages always send one.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import storages
from django.db import transaction
from django.db.models import Max
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from evaluations import evidence as upload_checks
from evaluations import masterdata
from evaluations.choices import HistoryAction
from evaluations.rules import control_problem
from evaluations.services.base import hold_period, record
from evaluations.services.meeting_versions import check_meeting, check_section
from initiatives.access import manages_plan
from initiatives.models import Initiative, Plan
from reformtracker.calendar_ja import ApproxDate, CalendarError
from xmeetings.models import Meeting, MeetingMaterial, MeetingTopic

MEETING_FIELDS = ("fiscal_year", "number", "title", "summary", "status")


def material_storage():
    """The private storage of X会議 materials (settings.STORAGES["materials"])."""
    return storages["materials"]


def _refuse() -> PermissionDenied:
    return PermissionDenied(_("X会議の管理はその計画の市政改革室の職員だけが行えます。"))


def plan_for_office(user, slug: str) -> Plan:
    """A plan whose X会議 the user keeps: 404 outside their reform office's reach, 403 for an
    office member who does not manage it."""
    plan = get_object_or_404(
        Plan.objects.in_office_reach(user).select_related("municipality"), slug=slug
    )
    if not manages_plan(user, plan):
        raise _refuse()
    return plan


def meeting_for_office(user, meeting_id: int, *, lock: bool = False) -> Meeting:
    """A meeting of a plan the user keeps (404 / 403 as ``plan_for_office``)."""
    meetings = Meeting.objects.select_related("plan__municipality")
    if lock:
        meetings = meetings.select_for_update(of=("self",))
    meeting = get_object_or_404(
        meetings.filter(plan__in=Plan.objects.in_office_reach(user)), pk=meeting_id
    )
    if not manages_plan(user, meeting.plan):
        raise _refuse()
    return meeting


def _subject(meeting: Meeting) -> dict:
    """Which meeting a history row is about, by name as well (it may be deleted later)."""
    return {
        "subject_type": meeting._meta.label_lower,
        "subject_id": meeting.pk,
        "subject_repr": str(meeting)[:300],
    }


def _check_text(**values) -> None:
    if problems := {k: m for k, v in values.items() if (m := control_problem(v or ""))}:
        raise ValidationError(problems)


def _set_date(meeting: Meeting, date_text: str) -> None:
    try:
        meeting.set_date(ApproxDate.parse(date_text, fiscal_year=meeting.fiscal_year))
    except CalendarError as exc:
        raise ValidationError({"date_text": str(exc)}) from None


def _validate(obj) -> None:
    try:
        obj.full_clean()
    except ValidationError as exc:
        # The model names its date columns; the office typed one date.
        if hasattr(exc, "error_dict"):
            moved = {}
            for key, errors in exc.error_dict.items():
                name = "date_text" if key.startswith("date_") else key
                moved.setdefault(name, []).extend(errors)
            raise ValidationError(moved) from None
        raise


# --- meetings ------------------------------------------------------------------------------------


@transaction.atomic
def create_meeting(*, user, plan_slug: str, date_text: str, **values) -> Meeting:
    """Adds a meeting to a plan the user keeps; ``date_text`` as the schedule writes it
    (「5/23」, 「7月上旬」, 「7月」, 「年度中」) within ``fiscal_year``."""
    # The plan read again under its lock: its period as it stands when this commits.
    plan = Plan.objects.select_for_update().get(pk=plan_for_office(user, plan_slug).pk)
    _check_text(title=values.get("title"), summary=values.get("summary"), date_text=date_text)
    meeting = Meeting(plan=plan, **{k: v for k, v in values.items() if k in MEETING_FIELDS})
    _set_date(meeting, date_text)
    _validate(meeting)
    masterdata.save(meeting, actor=user)
    return meeting


@transaction.atomic
def edit_meeting(
    *, user, meeting_id: int, date_text: str, token: str | None = None, **values
) -> dict:
    """Changes a meeting's number, year, date, title, summary or status; returns the changes
    recorded (none: no history row)."""
    hold_period(Meeting.objects.filter(pk=meeting_id).values("plan_id")[:1])
    meeting = meeting_for_office(user, meeting_id, lock=True)
    check_meeting(meeting, token)
    _check_text(title=values.get("title"), summary=values.get("summary"), date_text=date_text)
    for name, value in values.items():
        if name in MEETING_FIELDS:
            setattr(meeting, name, value)
    _set_date(meeting, date_text)
    _validate(meeting)
    return masterdata.save(meeting, actor=user)


@transaction.atomic
def mark_meeting_held(
    *, user, meeting_id: int, held_on: date | None = None, token: str | None = None
) -> Meeting:
    """Records that a meeting took place (開催済 from now on, whatever its period says), and,
    when ``held_on`` is given, the day it took place, which replaces an approximate date."""
    meeting = meeting_for_office(user, meeting_id, lock=True)
    check_meeting(meeting, token)
    if meeting.status == Meeting.Status.HELD and held_on is None:
        raise ValidationError(_("このX会議は既に開催済として登録されています。"))
    before = {"status": meeting.status, "date": meeting.date_label_ja}
    meeting.status = Meeting.Status.HELD
    if held_on is not None:
        meeting.set_date(ApproxDate(held_on.year, held_on.month, day=held_on.day))
    _validate(meeting)
    meeting.save()
    after = {"status": meeting.status, "date": meeting.date_label_ja}
    record(
        HistoryAction.MEETING_HELD,
        actor=user,
        changes={
            k: {"before": before[k], "after": after[k]} for k in after if before[k] != after[k]
        },
        **_subject(meeting),
    )
    return meeting


@transaction.atomic
def delete_meeting(*, user, meeting_id: int, token: str | None = None) -> None:
    """Deletes a meeting with its topics and materials; the history keeps every field of each
    (evaluations.masterdata.delete). Its material files go once the deletion is committed."""
    meeting = meeting_for_office(user, meeting_id, lock=True)
    check_meeting(meeting, token)
    paths = list(meeting.materials.exclude(file_path="").values_list("file_path", flat=True))
    masterdata.delete(meeting, actor=user)
    transaction.on_commit(lambda: [material_storage().delete(p) for p in paths])


# --- topics --------------------------------------------------------------------------------------


@transaction.atomic
def add_topic(*, user, meeting_id: int, name: str, token: str | None = None) -> MeetingTopic:
    """Adds a 議題 at the end of the meeting's list."""
    meeting = meeting_for_office(user, meeting_id, lock=True)
    check_section(meeting, "topics", token)
    name = (name or "").strip()
    _check_text(name=name)
    last = meeting.topics.aggregate(last=Max("order"))["last"] or 0
    topic = MeetingTopic(
        plan=meeting.plan,
        fiscal_year=meeting.fiscal_year,
        meeting=meeting,
        order=last + 1,
        name=name,
    )
    _validate(topic)
    masterdata.save(topic, actor=user)
    return topic


def _topic_for_office(user, topic_id: int, token: str | None) -> MeetingTopic:
    """The topic read again once its meeting's row is locked (a rename that waited for another
    must see that one's result), after the section's token check."""
    meeting_id = (
        MeetingTopic.objects.filter(pk=topic_id, meeting__isnull=False)
        .values_list("meeting_id", flat=True)
        .first()
    )
    if meeting_id is None:
        raise Http404
    meeting = meeting_for_office(user, meeting_id, lock=True)
    check_section(meeting, "topics", token)
    topic = get_object_or_404(MeetingTopic, pk=topic_id, meeting=meeting)
    topic.meeting = meeting
    return topic


@transaction.atomic
def rename_topic(*, user, topic_id: int, name: str, token: str | None = None) -> dict:
    topic = _topic_for_office(user, topic_id, token)
    topic.name = (name or "").strip()
    _check_text(name=topic.name)
    _validate(topic)
    return masterdata.save(topic, actor=user)


@transaction.atomic
def move_topic(*, user, topic_id: int, step: int, token: str | None = None) -> None:
    """Moves a 議題 one place up (``step`` −1) or down (+1) by swapping it with its neighbour;
    at either end nothing changes."""
    topic = _topic_for_office(user, topic_id, token)
    siblings = list(topic.meeting.topics.order_by("order", "pk"))
    index = next(i for i, t in enumerate(siblings) if t.pk == topic.pk)
    other = index + (1 if step > 0 else -1)
    if not 0 <= other < len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for order, sibling in enumerate(siblings, start=1):
        if sibling.order != order:
            sibling.order = order
            masterdata.save(sibling, actor=user)


@transaction.atomic
def remove_topic(*, user, topic_id: int, token: str | None = None) -> None:
    topic = _topic_for_office(user, topic_id, token)
    masterdata.delete(topic, actor=user)


# --- materials -----------------------------------------------------------------------------------


@transaction.atomic
def add_material(
    *,
    user,
    meeting_id: int,
    title: str,
    url: str = "",
    upload=None,
    is_public: bool = True,
    token: str | None = None,
) -> MeetingMaterial:
    """Adds a 資料: a link, or a file checked as evidence files are (type by extension AND
    content, zip containers' bounds) up to MEETING_MATERIAL_MAX_BYTES, kept in the private
    ``materials`` storage. Public ones are downloadable by anyone from the meeting pages."""
    meeting = meeting_for_office(user, meeting_id, lock=True)
    check_section(meeting, "materials", token)
    title = (title or "").strip()
    url = (url or "").strip()
    _check_text(title=title, url=url, file=upload.name if upload is not None else "")
    if bool(url) == (upload is not None):
        raise ValidationError(_("リンクかファイルのどちらか一方を指定してください。"))
    last = meeting.materials.aggregate(last=Max("order"))["last"] or 0
    item = MeetingMaterial(meeting=meeting, order=last + 1, is_public=is_public)
    ext = None
    if upload is not None:
        ext, file_type = upload_checks.check_upload(
            upload, limit=settings.MEETING_MATERIAL_MAX_BYTES
        )
        item.file_name = upload.name[-200:]
        item.title = title or item.file_name
        item.content_type = file_type.content_type
        item.size = upload.size
        item.file_path = "pending"  # the real name once the checks pass
    else:
        item.url = url
        item.title = title or url[:300]
    _validate(item)
    if upload is not None:
        item.file_path = material_storage().save(f"{meeting.pk}/{uuid.uuid4().hex}.{ext}", upload)
    try:
        masterdata.save(item, actor=user)
    except Exception:
        # The file was written before the row; don't leave it behind without one.
        if item.file_path:
            material_storage().delete(item.file_path)
        raise
    return item


def _material_for_office(user, material_id: int, token: str | None = None) -> MeetingMaterial:
    """The material read again once its meeting's row is locked, after the token check."""
    meeting_id = (
        MeetingMaterial.objects.filter(pk=material_id).values_list("meeting_id", flat=True).first()
    )
    if meeting_id is None:
        raise Http404
    meeting = meeting_for_office(user, meeting_id, lock=True)
    check_section(meeting, "materials", token)
    item = get_object_or_404(MeetingMaterial, pk=material_id, meeting=meeting)
    item.meeting = meeting
    return item


def material_for_office(user, material_id: int) -> MeetingMaterial:
    """A material of a meeting the user keeps, public or not (for the office's download)."""
    return _material_for_office(user, material_id)


@transaction.atomic
def edit_material(
    *, user, material_id: int, title: str, is_public: bool, token: str | None = None
) -> dict:
    item = _material_for_office(user, material_id, token)
    item.title = (title or "").strip()
    item.is_public = is_public
    _check_text(title=item.title)
    _validate(item)
    return masterdata.save(item, actor=user)


@transaction.atomic
def remove_material(*, user, material_id: int, token: str | None = None) -> None:
    """Removes a 資料; the history keeps its title, link or file name. The file goes once the
    removal is committed."""
    item = _material_for_office(user, material_id, token)
    path = item.file_path
    masterdata.delete(item, actor=user)
    if path:
        transaction.on_commit(lambda: material_storage().delete(path))


# --- linked initiatives --------------------------------------------------------------------------


def _initiative_of_plan(meeting: Meeting, initiative_id: int) -> Initiative:
    initiative = Initiative.objects.filter(pk=initiative_id, plan_id=meeting.plan_id).first()
    if initiative is None:
        raise ValidationError(
            {"initiative": _("この計画の取組項目を選んでください。")}, code="other_plan"
        )
    return initiative


@transaction.atomic
def link_initiative(
    *, user, meeting_id: int, initiative_id: int, token: str | None = None
) -> Initiative:
    """Links an initiative of the meeting's own plan (関連する会議 on its page)."""
    meeting = meeting_for_office(user, meeting_id, lock=True)
    check_section(meeting, "links", token)
    initiative = _initiative_of_plan(meeting, initiative_id)
    if meeting.initiatives.filter(pk=initiative.pk).exists():
        raise ValidationError(_("この取組項目は既に関連付けられています。"))
    meeting.initiatives.add(initiative)
    record(
        HistoryAction.MEETING_LINK,
        actor=user,
        changes={"initiatives": {"before": "", "after": str(initiative)}},
        **_subject(meeting),
    )
    return initiative


@transaction.atomic
def unlink_initiative(
    *, user, meeting_id: int, initiative_id: int, token: str | None = None
) -> None:
    meeting = meeting_for_office(user, meeting_id, lock=True)
    check_section(meeting, "links", token)
    initiative = meeting.initiatives.filter(pk=initiative_id).first()
    if initiative is None:
        raise ValidationError(_("この取組項目は関連付けられていません。"))
    meeting.initiatives.remove(initiative)
    record(
        HistoryAction.MEETING_UNLINK,
        actor=user,
        changes={"initiatives": {"before": str(initiative), "after": ""}},
        **_subject(meeting),
    )
