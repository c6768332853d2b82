"""The admin's door, held by the same rules as the staff pages, and its writes recorded.

The admin is the site operator's tool: ``superusers_only`` refuses everyone else (403) at every
admin URL, the sign-in page included; the reform office sets up and edits its plans in its own
pages (/office/setup/…, the staff pages). Behind that door the scope still holds, as a second
fence: an office user (in a reform office and holding the permission to manage rounds:
``Plan.objects.managed_by``) would reach the admin pages of the plans they manage and nothing
else, every list, choice, filter, inline and object URL cut to those plans, an object outside
them 404. Who may do what (departments and their members, users, groups) is for superusers only.

Every write goes through evaluations.masterdata, so each one, inline rows and bulk deletions
included, leaves a history row with every changed field before → after; a deletion keeps every
field of what it deleted. The history writer counts each recorded edit of master data in
MasterDataVersion (evaluations.services.base.record), so a public page stored before an admin
edit (the X会議 pages among them) is replaced from the next request, as after an office's edit.

``protect(site)`` wraps every registered model admin with these rules (evaluations/admin.py calls
it once every app has registered); a model it has no rule for is refused to everyone but
superusers, so a newly registered model is never open by mistake.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import admin
from django.contrib.admin import RelatedOnlyFieldListFilter
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponseRedirect
from django.utils.translation import gettext as _

from evaluations import masterdata, rules
from evaluations.models import (
    Entry,
    Evidence,
    HistoryEvent,
    PillarNarrative,
    Publication,
    PublishedPillar,
    PublishedResult,
    Round,
)
from initiatives.access import manages_rounds
from initiatives.models import (
    AnalysisCluster,
    Department,
    Initiative,
    Municipality,
    Pillar,
    Plan,
    PlanNote,
)
from reformtracker.admin_dates import WarekiDates
from xmeetings.models import (
    Meeting,
    MeetingMaterial,
    MeetingTopic,
    Schedule,
    ScheduleActivity,
    ScheduleLane,
)

# Each plan-bound model's path to its plan ("" for the plan itself).
PLAN_PATHS = {
    Plan: "",
    Pillar: "plan",
    AnalysisCluster: "plan",
    Initiative: "plan",
    PlanNote: "plan",
    Round: "plan",
    Entry: "round__plan",
    Evidence: "entry__round__plan",
    PillarNarrative: "pillar__plan",
    Publication: "round__plan",
    PublishedPillar: "publication__round__plan",
    PublishedResult: "publication__round__plan",
    Meeting: "plan",
    MeetingTopic: "plan",
    MeetingMaterial: "meeting__plan",
    Schedule: "plan",
    ScheduleLane: "schedule__plan",
    ScheduleActivity: "lane__schedule__plan",
}

# Office users may read these (their own city's), never change them: who belongs where decides
# what everyone may do, so only a superuser changes it.
READ_ONLY_FOR_OFFICE = {Department}

# Written only by evaluations.services: nobody changes them in the admin.
READ_ONLY = {Entry, Publication, PublishedResult, PublishedPillar, HistoryEvent, Evidence}

# What an office user may reach at all (the rest is a superuser's).
OFFICE_MODELS = set(PLAN_PATHS) | READ_ONLY_FOR_OFFICE | {HistoryEvent}


def plans_for(user) -> QuerySet[Plan]:
    if user.is_superuser:
        return Plan.objects.all()
    return Plan.objects.managed_by(user)


def _history_q(plans: QuerySet[Plan], user) -> Q:
    """History rows about the plans' objects: through the round, entry, publication or
    initiative they hang on, or the (still existing) object they name."""
    plan_ids = plans.values("pk")
    q = (
        Q(initiative__plan__in=plan_ids)
        | Q(round__plan__in=plan_ids)
        | Q(entry__round__plan__in=plan_ids)
        | Q(publication__round__plan__in=plan_ids)
    )
    for model in PLAN_PATHS:
        if model in READ_ONLY:
            continue
        q |= Q(
            subject_type=model._meta.label_lower,
            subject_id__in=scoped(model._base_manager.all(), user).values("pk"),
        )
    return q


def scoped(queryset: QuerySet, user) -> QuerySet:
    """The rows of ``queryset`` within the user's admin scope: all for a superuser; for an
    office user those of the plans they manage (their city's departments); else none."""
    if user.is_superuser:
        return queryset
    model = queryset.model
    plans = plans_for(user)
    if model in PLAN_PATHS:
        path = PLAN_PATHS[model]
        return queryset.filter(**{f"{path}__in" if path else "pk__in": plans.values("pk")})
    if model is Department:
        return queryset.filter(municipality__in=plans.values("municipality"))
    if model is Municipality:
        return queryset.filter(pk__in=plans.values("municipality"))
    if model is HistoryEvent:
        return queryset.filter(_history_q(plans, user))
    return queryset.none()


def in_scope(obj, user) -> bool:
    return scoped(type(obj)._base_manager.filter(pk=obj.pk), user).exists()


def office_may_enter(user) -> bool:
    """Whether a user who is not a superuser may use the admin at all: the reform office of
    some plan (staff of a department alone reach nothing here)."""
    return user.is_active and user.is_staff and manages_rounds(user)


def _choices(db_field, user, queryset=None) -> QuerySet:
    """A relation's choices for a form: only what is in the user's scope, so a round cannot be
    opened on, nor a meeting moved to, another city's plan (the form refuses the id)."""
    if queryset is None:
        queryset = db_field.related_model._default_manager.all()
    return scoped(queryset, user)


class _Scope:
    """What model admins and inlines share: scoped rows, choices and permissions."""

    def _office_may(self, request, action: str, obj=None) -> bool:
        user = request.user
        if user.is_superuser:
            return True
        model = self.model
        if model not in OFFICE_MODELS:
            return False
        if action != "view" and (model in READ_ONLY or model in READ_ONLY_FOR_OFFICE):
            return False
        if not office_may_enter(user):
            return False
        return obj is None or in_scope(obj, user)

    def get_queryset(self, request):
        return scoped(super().get_queryset(request), request.user)

    def has_view_permission(self, request, obj=None):
        return self._office_may(request, "view", obj) and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._office_may(request, "change", obj) and super().has_change_permission(
            request, obj
        )

    def has_delete_permission(self, request, obj=None):
        return self._office_may(request, "delete", obj) and super().has_delete_permission(
            request, obj
        )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # Text typed in the admin is held to the same rule as the staff pages': no invisible
        # control characters (U+202E and the like) that would reorder what readers see.
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and isinstance(db_field, (models.CharField, models.TextField)):
            field.validators.append(rules.validate_visible_text)
        return field

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if not request.user.is_superuser:
            kwargs["queryset"] = _choices(db_field, request.user, kwargs.get("queryset"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if not request.user.is_superuser:
            kwargs["queryset"] = _choices(db_field, request.user, kwargs.get("queryset"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ScopedInline(_Scope):
    """An inline cut to the user's scope; its parent records its rows (``save_formset``)."""

    def has_add_permission(self, request, obj=None):
        return self._office_may(request, "add", obj) and super().has_add_permission(request, obj)


class ScopedAdmin(_Scope):
    """A model admin held to the user's scope, whose every write is recorded in history.

    ``records_creation = False`` on a model admin whose ``save_model`` creates through a
    service that records the creation itself (a round is opened by evaluations.services).
    """

    records_creation = True

    def has_module_permission(self, request):
        if not request.user.is_superuser and not self._office_may(request, "view"):
            return False
        return super().has_module_permission(request)

    def has_add_permission(self, request):
        return self._office_may(request, "add") and super().has_add_permission(request)

    def get_list_filter(self, request):
        # A plain related filter lists every plan, department, … of every city: offer only
        # those of the rows in scope.
        filters = super().get_list_filter(request)
        if request.user.is_superuser:
            return filters
        return [_related_only(self.model, f) for f in filters]

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Outside the scope or not there at all: the same 404, revealing nothing.
        raise Http404(_("見つかりません。"))

    # --- writes, each recorded ------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        obj._history_before = masterdata.stored(obj)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        form.save_m2m()
        obj = form.instance
        before = getattr(obj, "_history_before", None)
        if before is not None or self.records_creation:
            masterdata.record_save(obj, before, actor=request.user)
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            masterdata.delete(obj, actor=request.user)
        befores = [masterdata.stored(obj) for obj in instances]
        for obj in instances:
            obj.save()
        formset.save_m2m()
        for obj, before in zip(instances, befores, strict=True):
            masterdata.record_save(obj, before, actor=request.user)

    def delete_model(self, request, obj):
        masterdata.delete(obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        masterdata.delete_many(queryset, actor=request.user)


def _related_only(model, list_filter):
    if not isinstance(list_filter, str):
        return list_filter
    try:
        field = model._meta.get_field(list_filter.split("__")[0])
    except FieldDoesNotExist:
        return list_filter
    if field.is_relation or "__" in list_filter:
        return (list_filter, RelatedOnlyFieldListFilter)
    return list_filter


class SuperuserOnlyAdmin(ScopedAdmin):
    """Users, groups, sign-in records: superusers only (the others get no page at all)."""

    def _office_may(self, request, action, obj=None):
        return request.user.is_superuser


class ReadOnlyForEveryone:
    """Records kept by others (sign-in attempts): shown to superusers, changed by nobody."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class UserRecordedAdmin(SuperuserOnlyAdmin):
    """A user's password change is recorded without either side (never the hash)."""

    def user_change_password(self, request, id, form_url=""):
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and isinstance(response, HttpResponseRedirect):
                user = get_user_model()._default_manager.get(pk=id)
                masterdata.record_password_change(user, actor=request.user)
        return response


def _wrap_inline(inline):
    return type(inline.__name__, (ScopedInline, inline), {})


def _refused(request):
    from django.shortcuts import render

    from initiatives.access import reach_of

    offices = Municipality.objects.filter(pk__in=reach_of(request.user).office_municipalities)
    return render(
        request, "evaluations/onboarding/admin_refused.html", {"offices": offices}, status=403
    )


def superusers_only(site: admin.AdminSite) -> None:
    """Closes ``site`` to everyone signed in who is not a superuser: every admin view (and the
    admin's sign-in page) answers 403 with the way to the office's own pages."""
    if getattr(site, "_superusers_only", False):
        return
    wrap = site.admin_view
    sign_in = site.login

    def admin_view(view, cacheable=False):
        inner = wrap(view, cacheable)

        @wraps(inner)
        def door(request, *args, **kwargs):
            if request.user.is_authenticated and not request.user.is_superuser:
                return _refused(request)
            return inner(request, *args, **kwargs)

        return door

    def login(request, extra_context=None):
        if request.user.is_authenticated and not request.user.is_superuser:
            return _refused(request)
        return sign_in(request, extra_context)

    site.admin_view = admin_view
    site.login = login
    site.has_permission = lambda request: request.user.is_active and request.user.is_superuser
    site._superusers_only = True


def protect(site: admin.AdminSite) -> None:
    """Closes ``site`` to all but superusers and re-registers every model admin of it with the
    scope and the history (once)."""
    superusers_only(site)
    User = get_user_model()
    for model, model_admin in list(site._registry.items()):
        base = type(model_admin)
        if issubclass(base, _Scope):
            continue
        if model is User:
            mixins = (UserRecordedAdmin,)
        elif model is Group:
            mixins = (SuperuserOnlyAdmin,)
        elif model in OFFICE_MODELS:
            mixins = (ScopedAdmin,)
        elif model is Municipality:
            mixins = (SuperuserOnlyAdmin,)
        else:
            # Not ours (django-axes' sign-in records) or not yet given a rule: superusers may
            # read it, nobody writes it here.
            mixins = (SuperuserOnlyAdmin, ReadOnlyForEveryone)
        attrs = {"inlines": [_wrap_inline(i) for i in base.inlines]}
        site.unregister(model)
        # Dates shown (not edited) the Japanese way, as every other page shows them.
        mixins = (*mixins, WarekiDates)
        site.register(model, type(base.__name__, (*mixins, base), attrs))
