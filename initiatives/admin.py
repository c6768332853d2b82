"""Admin for the reform office: plans, pillars, departments and initiatives (Japanese labels)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from initiatives.models import (
    AnalysisCluster,
    Department,
    Initiative,
    Membership,
    Municipality,
    Pillar,
    Plan,
    PlanNote,
)
from reformtracker.admin_dates import FiscalYearFilter


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "name_en", "prefecture", "local_code"]
    list_filter = ["prefecture"]
    search_fields = ["name", "name_en", "slug", "local_code"]
    # The logo is uploaded on the office's identity page (evaluations.identity), which checks
    # the image and names the file by its digest; the accent colour's contrast is checked there.
    exclude = ["logo"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "municipality", "is_reform_office"]
    list_filter = ["municipality", "kind", "is_reform_office"]
    search_fields = ["name", "name_en", "code"]
    inlines = [MembershipInline]


class PillarInline(admin.TabularInline):
    model = Pillar
    extra = 0
    fields = ["order", "name", "kind", "managed_through", "office_tracks_items"]


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["title", "municipality", "start_fiscal_year", "end_fiscal_year", "adopted_on"]
    list_filter = ["municipality"]
    search_fields = ["title", "subtitle", "title_en", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [PillarInline]


@admin.register(Pillar)
class PillarAdmin(admin.ModelAdmin):
    list_display = ["__str__", "plan", "kind", "managed_through", "office_tracks_items"]
    list_filter = ["plan", "kind", "office_tracks_items"]
    search_fields = ["name", "name_en", "managed_through", "description"]
    list_select_related = ["plan"]


@admin.register(AnalysisCluster)
class AnalysisClusterAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "plan", "fiscal_year"]
    list_filter = ["plan", FiscalYearFilter]
    search_fields = ["code", "name"]


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "title",
        "pillar",
        "department",
        "evaluation_timing",
        "reform_level",
        "provenance",
    ]
    list_filter = ["plan", "pillar", "department", "evaluation_timing", "reform_level"]
    search_fields = ["code", "title", "title_en", "target", "description"]
    list_select_related = ["plan", "pillar", "department"]
    autocomplete_fields = ["department"]
    fieldsets = [
        (None, {"fields": ["plan", "pillar", "code", "order", "title", "title_en", "department"]}),
        (_("内容"), {"fields": ["target", "description"]}),
        (
            _("評価"),
            {
                "fields": [
                    "evaluation_timing",
                    "first_evaluated_fiscal_year",
                    "reform_level",
                    "cluster",
                    "provenance",
                    "provenance_note",
                ]
            },
        ),
    ]


@admin.register(PlanNote)
class PlanNoteAdmin(admin.ModelAdmin):
    list_display = ["__str__", "plan", "fiscal_year", "kind", "title"]
    list_filter = ["plan", FiscalYearFilter, "kind"]
    search_fields = ["title", "body"]
