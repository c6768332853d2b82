"""Admin for rounds, narratives, publications and history, and the door to the whole admin.

Entries, publications and history change only through evaluations.services, so here they are
read-only: the admin opens rounds through the service and never edits a snapshot or a log row.
Once every app's admin is registered, evaluations.admin_scope wraps each model admin: scoped to
the plans an office user manages (404 outside), superusers only for who-may-do-what, and every
write recorded in history.
"""

from django import forms
from django.apps import apps
from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

import initiatives.admin  # noqa: F401  (registers the classes wrapped below)
import xmeetings.admin  # noqa: F401  (likewise)
from evaluations import admin_scope, history, services
from evaluations.models import (
    Entry,
    HistoryEvent,
    PillarNarrative,
    Publication,
    PublishedResult,
    Round,
)
from evaluations.staff_forms import RoundChecks
from reformtracker.admin_dates import FiscalYearFilter


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RoundAdminForm(RoundChecks, forms.ModelForm):
    class Meta:
        model = Round
        fields = ["plan", "fiscal_year", "kind", "as_of", "due_on"]


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    form = RoundAdminForm
    list_display = ["__str__", "plan", "fiscal_year", "kind", "as_of", "due_on", "state"]
    list_filter = ["plan", FiscalYearFilter, "kind", "state"]
    search_fields = ["plan__title"]
    readonly_fields = ["state"]
    # Opened through the service, which records the opening (round.open) itself.
    records_creation = False

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
        created = services.open_round(
            user=request.user,
            plan=obj.plan,
            fiscal_year=obj.fiscal_year,
            kind=obj.kind,
            as_of=obj.as_of,
            due_on=obj.due_on,
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
    list_display = ["pillar", "fiscal_year", "kind", "cluster_count"]
    list_filter = ["pillar__plan", FiscalYearFilter, "kind"]
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
    # "at" is written once (auto_now_add), so no form shows it: named here, the page does.
    readonly_fields = ["at", "changes_table"]

    actions = None

    @admin.display(description=_("変更内容（項目ごと）"))
    def changes_table(self, obj):
        """Each changed field by its label, before → after: a deleted object's text is read
        here in full."""
        try:
            model = apps.get_model(obj.subject_type) if obj.subject_type else Entry
        except (LookupError, ValueError):
            model = Entry
        rows = history.changes_of(obj.changes, model)
        if not rows:
            return "—"
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            _("項目"),
            _("変更前"),
            _("変更後"),
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                ((c.label, c.before, c.after) for c in rows),
            ),
        )


admin_scope.protect(admin.site)

admin.site.site_header = _("reformtracker 管理")
admin.site.site_title = _("reformtracker 管理")
admin.site.index_title = _("市政改革の進捗管理")
