"""Admin for rounds, narratives, publications and history.

Entries, publications and history change only through evaluations.services, so here they are
read-only: the admin opens rounds through the service and never edits a snapshot or a log row.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

import initiatives.admin  # noqa: F401  (registers the classes re-registered below)
from evaluations import masterdata, services
from evaluations.models import (
    Entry,
    HistoryEvent,
    PillarNarrative,
    Publication,
    PublishedResult,
    Round,
)
from initiatives.models import Initiative, Pillar, Plan


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ["__str__", "plan", "fiscal_year", "kind", "as_of", "due_on", "state"]
    list_filter = ["plan", "fiscal_year", "kind", "state"]
    search_fields = ["plan__title"]
    readonly_fields = ["state"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["state"]
        # What a round covers is fixed once entries exist; only the due date may move.
        return ["plan", "fiscal_year", "kind", "as_of", "state"]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        created = services.open_round_as_system(
            plan=obj.plan,
            fiscal_year=obj.fiscal_year,
            kind=obj.kind,
            as_of=obj.as_of,
            due_on=obj.due_on,
            actor=request.user,
        )
        obj.pk = created.pk
        obj._state.adding = False


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    list_display = ["initiative", "round", "result", "state", "version", "updated_at"]
    list_filter = ["round__plan", "round", "state", "result", "initiative__department"]
    search_fields = ["initiative__code", "initiative__title", "narrative"]
    list_select_related = ["initiative", "round__plan"]


@admin.register(PillarNarrative)
class PillarNarrativeAdmin(admin.ModelAdmin):
    list_display = ["pillar", "fiscal_year", "cluster_count"]
    list_filter = ["pillar__plan", "fiscal_year"]
    search_fields = ["done", "next_steps", "pillar__name"]
    list_select_related = ["pillar__plan"]


class PublishedResultInline(admin.TabularInline):
    model = PublishedResult
    fields = ["code", "title", "department_name", "result", "reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Publication)
class PublicationAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "round", "published_at", "published_by"]
    list_filter = ["round__plan"]
    search_fields = ["round__plan__title", "note"]
    inlines = [PublishedResultInline]

    def has_change_permission(self, request, obj=None):
        # Viewing the detail page needs "view"; change stays refused.
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff


@admin.register(HistoryEvent)
class HistoryEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "action", "actor_name", "subject_repr", "initiative", "round"]
    list_filter = ["action", "subject_type", "round__plan", "round"]
    search_fields = [
        "actor_name",
        "subject_repr",
        "initiative__code",
        "initiative__title",
        "comment",
    ]
    list_select_related = ["initiative", "round__plan"]
    date_hierarchy = "at"

    actions = None


# --- master data: the admin classes of initiatives/admin.py, saving through masterdata --------
#
# initiatives must not import evaluations (where the history lives), so its admin classes are
# re-registered here with the history-writing save and delete.


class RecordedAdmin:
    """Saves and deletes through evaluations.masterdata, so each change gets its history row;
    inline rows (the pillars of a plan) too."""

    def save_model(self, request, obj, form, change):
        masterdata.save(obj, actor=request.user)

    def delete_model(self, request, obj):
        masterdata.delete(obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        masterdata.delete_many(queryset, actor=request.user)

    def save_formset(self, request, form, formset, change):
        if formset.model not in RECORDED:
            return super().save_formset(request, form, formset, change)
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            masterdata.delete(obj, actor=request.user)
        for obj in instances:
            masterdata.save(obj, actor=request.user)
        formset.save_m2m()


RECORDED = (Initiative, Plan, Pillar)

for model in RECORDED:
    base = type(admin.site.get_model_admin(model))
    admin.site.unregister(model)
    admin.site.register(model, type(base.__name__, (RecordedAdmin, base), {}))


admin.site.site_header = _("reformtracker 管理")
admin.site.site_title = _("reformtracker 管理")
admin.site.index_title = _("市政改革の進捗管理")
