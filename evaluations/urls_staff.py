"""Staff URLs (/staff/…) and sign-in (/accounts/…)."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from evaluations.views import staff

staff_patterns = [
    path("", staff.worklist, name="worklist"),
    path("entries/<id:pk>/", staff.entry_edit, name="entry"),
    path(
        "entries/<id:pk>/<str:action>/",
        staff.entry_transition,
        name="entry_transition",
    ),
    path("entries/<id:pk>/evidence/add/", staff.evidence_add, name="evidence_add"),
    path("evidence/<id:pk>/", staff.evidence_download, name="evidence"),
    path("evidence/<id:pk>/remove/", staff.evidence_remove, name="evidence_remove"),
    path("rounds/", staff.round_list, name="rounds"),
    path("rounds/<id:pk>/", staff.round_detail, name="round"),
    path("rounds/<id:pk>/bulk/", staff.round_bulk, name="round_bulk"),
    path("rounds/<id:pk>/close/", staff.round_close, name="round_close"),
    path("rounds/<id:pk>/publish/", staff.round_publish, name="round_publish"),
    path(
        "rounds/<id:pk>/publish/confirm/",
        staff.round_publish_confirm,
        name="round_publish_confirm",
    ),
    path("rounds/<id:pk>/reopen/", staff.round_reopen, name="round_reopen"),
    path("rounds/<id:pk>/overdue/", staff.round_overdue, name="round_overdue"),
    path(
        "rounds/<id:pk>/overdue/<id:department>/remind/",
        staff.round_remind,
        name="round_remind",
    ),
    path("submit-ready/", staff.submit_ready, name="submit_ready"),
]

# Included once at the root: the staff pages keep their "staff:" names, sign-in keeps Django's
# ("login", "logout") so LOGIN_URL and the admin find them.
urlpatterns = [
    path("staff/", include((staff_patterns, "staff"))),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", staff.LogoutWithNotice.as_view(), name="logout"),
]
