"""A new municipality's way in: the first-run setup (/setup/) and the onboarding pages under
/office/setup/ (municipalities, the plan workbook, staff accounts)."""

from django.urls import include, path

from evaluations.views import onboarding

onboarding_patterns = [
    path("setup/", onboarding.first_run, name="first_run"),
    path("office/setup/", onboarding.municipalities, name="municipalities"),
    path(
        "office/setup/password/<str:uidb64>/<str:token>/",
        onboarding.SetPassword.as_view(),
        name="set_password",
    ),
    path("office/setup/<slug:slug>/", onboarding.municipality, name="municipality"),
    path(
        "office/setup/<slug:slug>/plan/template.xlsx",
        onboarding.plan_template,
        name="plan_template",
    ),
    path("office/setup/<slug:slug>/plan/", onboarding.plan_upload, name="plan_upload"),
    path(
        "office/setup/<slug:slug>/plan/<str:token>/",
        onboarding.plan_preview,
        name="plan_preview",
    ),
    path(
        "office/setup/<slug:slug>/plan/<str:token>/confirm/",
        onboarding.plan_confirm,
        name="plan_confirm",
    ),
    path("office/setup/<slug:slug>/staff/", onboarding.members, name="members"),
]

urlpatterns = [path("", include((onboarding_patterns, "onboarding")))]
