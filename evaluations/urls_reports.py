"""Reform office outputs (/office/reports/…) and the 照会票 import (/staff/import/…)."""

from django.urls import include, path

from evaluations.views import reports

report_patterns = [
    path("office/reports/", reports.office, name="office"),
    path(
        "office/reports/<slug:slug>/<fy:fiscal_year>/progress.pdf",
        reports.report_pdf,
        name="pdf",
    ),
    path(
        "office/reports/<slug:slug>/<fy:fiscal_year>/jobs/",
        reports.report_job_start,
        name="job_start",
    ),
    path("office/reports/jobs/<str:job_id>/", reports.report_job, name="job"),
    path(
        "office/reports/jobs/<str:job_id>/download/",
        reports.report_job_download,
        name="job_download",
    ),
    path("staff/import/", reports.import_upload, name="import"),
    path(
        "staff/import/rounds/<id:pk>/workbook.xlsx",
        reports.round_workbook,
        name="round_workbook",
    ),
    path("staff/import/<str:token>/", reports.import_preview, name="import_preview"),
    path("staff/import/<str:token>/confirm/", reports.import_confirm, name="import_confirm"),
]

urlpatterns = [path("", include((report_patterns, "reports")))]
