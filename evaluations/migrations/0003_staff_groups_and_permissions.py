"""The two staff groups and their permissions, so a freshly migrated database (production
included) has what the workflow's ``user.has_perm`` checks ask for. Groups and permissions only:
accounts are made by people (admin, createsuperuser), demo ones by load_demo_accounts.

Permissions are normally created by post_migrate, after every migration has run, so they are
created here first (idempotent). The lists are frozen in this file on purpose: a later model's
permissions are granted by that model's own migration, not by editing this one. Today's
definition of the groups, which load_demo_accounts re-grants, is initiatives.roles.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

DEPARTMENT_STAFF = "所管課職員"
REFORM_OFFICE = "市政改革室"

# Department staff enter and submit their own answers; which ones is initiatives.access's call.
STAFF_PERMISSIONS = [("evaluations", "submit_entry"), ("evaluations", "view_entry")]

# The reform office maintains plans and results through the admin and runs the workflow; nobody
# gets add/change/delete on history (the model refuses it anyway).
OFFICE_APPS = ("initiatives", "evaluations", "xmeetings")
NEVER = ("add_historyevent", "change_historyevent", "delete_historyevent")


def create_groups(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    grant(apps)


def grant(apps) -> dict:
    """Creates (or resets) both groups with their permissions."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    staff, _ = Group.objects.get_or_create(name=DEPARTMENT_STAFF)
    staff.permissions.set(
        Permission.objects.filter(
            content_type__app_label="evaluations",
            codename__in=[codename for _, codename in STAFF_PERMISSIONS],
        )
    )
    office, _ = Group.objects.get_or_create(name=REFORM_OFFICE)
    office.permissions.set(
        Permission.objects.filter(content_type__app_label__in=OFFICE_APPS).exclude(
            codename__in=NEVER
        )
    )
    return {"department_staff": staff, "reform_office": office}


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(
        name__in=[DEPARTMENT_STAFF, REFORM_OFFICE]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("evaluations", "0002_staff_workflow_evidence_and_comments"),
        ("initiatives", "0001_plans_pillars_initiatives"),
        ("xmeetings", "0001_meetings_and_schedules"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
