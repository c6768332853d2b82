"""How a new municipality comes to use the site, each step one atomic service with its history:

1. ``create_operator``: on an empty site, the first-run page registers the operator (a
   superuser). Held to once ever: the history row it writes carries a fixed change token,
   which the database keeps unique, so two people submitting the form at the same moment get
   one operator and one refusal, and the page stays gone even if every user is later removed.
2. ``create_municipality``: the operator registers a municipality, its reform office (a
   department with ``is_reform_office``) and the office's first account.
3. ``import_plan``: the office creates its plan, pillars, departments, initiatives and their
   indicators from a plan workbook (evaluations.onboarding), all or nothing.
4. ``add_member``: the office gives its departments' staff their accounts.
"""

from __future__ import annotations

import uuid

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from evaluations import masterdata
from evaluations.choices import HistoryAction
from evaluations.models import HistoryEvent
from evaluations.onboarding import validate
from evaluations.onboarding.reader import ParsedPlan
from evaluations.services import indicators as indicator_service
from evaluations.services.base import record
from evaluations.workbooks.problems import ImportRejected, Problem
from initiatives.access import reach_of
from initiatives.models import Department, Initiative, Membership, Municipality, Pillar, Plan
from initiatives.roles import MANAGE_ROUND, Role, ensure_groups

# The change token of the one first-run setup row (HistoryEvent.change_token is unique).
SETUP_TOKEN = uuid.uuid5(uuid.NAMESPACE_URL, "reformtracker:first-run-setup")


class SetupClosed(Exception):
    """The site has been set up already: the first-run page is gone."""


def setup_is_open() -> bool:
    """Whether the first-run setup may still run: no user at all, and never run before."""
    return not (
        get_user_model().objects.exists()
        or HistoryEvent.objects.filter(change_token=SETUP_TOKEN).exists()
    )


def create_operator(*, username: str, email: str, password: str, full_name: str = ""):
    """Registers the site's operator (a superuser) on an empty site, once ever."""
    try:
        with transaction.atomic():
            if not setup_is_open():
                raise SetupClosed
            User = get_user_model()
            user = User(username=username, email=email, first_name=full_name)
            user.is_staff = user.is_superuser = True
            validate_password(password, user)
            user.set_password(password)
            user.save()
            # Inserted last: a second setup racing this one waits on the unique token and
            # fails there, taking its user with it.
            record(
                HistoryAction.SITE_SETUP,
                actor=user,
                change_token=SETUP_TOKEN,
                subject_type=user._meta.label_lower,
                subject_id=user.pk,
                subject_repr=str(user),
                changes={"username": {"before": "", "after": username}},
            )
    except IntegrityError:
        raise SetupClosed from None
    return user


# --- who may --------------------------------------------------------------------------------


def require_operator(user) -> None:
    if not (user.is_authenticated and user.is_superuser):
        raise PermissionDenied(_("自治体の登録はサイトの運用者（管理者）だけが行えます。"))


def manages_municipality(user, municipality: Municipality) -> bool:
    """The reform office of the municipality (holding the permission to manage rounds), or a
    superuser: who sets up its plan and its staff accounts."""
    reach = reach_of(user)
    in_office = reach.everything or municipality.pk in reach.office_municipalities
    return in_office and user.has_perm(MANAGE_ROUND)


def office_municipalities(user) -> list[Municipality]:
    """The municipalities whose onboarding pages the user may open (not for a superuser)."""
    reach = reach_of(user)
    if not user.has_perm(MANAGE_ROUND):
        return []
    return list(Municipality.objects.filter(pk__in=reach.office_municipalities).order_by("slug"))


def municipality_for_office(user, slug: str) -> Municipality:
    """The municipality whose office pages the user opens: 404 outside their reform office's
    city (its existence is not revealed), 403 for an office member without the permission."""
    reach = reach_of(user)
    municipalities = Municipality.objects.all()
    if not reach.everything:
        municipalities = municipalities.filter(pk__in=reach.office_municipalities)
    municipality = get_object_or_404(municipalities, slug=slug)
    if not manages_municipality(user, municipality):
        raise PermissionDenied(_("この操作は市政改革室の職員だけが行えます。"))
    return municipality


# --- accounts ----------------------------------------------------------------------------------


def _new_account(*, actor, department, username, email, full_name, password, role):
    """A user who signs in as ``role`` in ``department``, with its membership, recorded."""
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise ValidationError(
            {"username": _("ユーザー名「%(name)s」は既に使われています。") % {"name": username}}
        )
    user = User(username=username, email=email, first_name=full_name)
    if password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from None
        user.set_password(password)
    else:
        user.set_unusable_password()  # the set-password link gives the first one
    user.save()
    user.groups.add(ensure_groups()[role])
    masterdata.record_save(user, None, actor=actor)
    membership = Membership.objects.create(user=user, department=department)
    masterdata.record_save(membership, None, actor=actor)
    return user


@transaction.atomic
def create_municipality(
    *, user, municipality: Municipality, office: Department, account: dict
) -> tuple[Municipality, Department, object]:
    """The operator registers a municipality with its reform office and the office's first
    account (``account``: username, email, full_name, password, the password may be blank)."""
    require_operator(user)
    municipality.full_clean()
    municipality.save()
    masterdata.record_save(municipality, None, actor=user)
    office.municipality = municipality
    office.is_reform_office = True
    office.full_clean()
    office.save()
    masterdata.record_save(office, None, actor=user)
    member = _new_account(actor=user, department=office, role=Role.REFORM_OFFICE, **account)
    return municipality, office, member


@transaction.atomic
def add_member(*, user, municipality: Municipality, department: Department, account: dict):
    """The office gives a department's staff member an account: 所管課職員 in a department,
    市政改革室 in the reform office itself."""
    if not manages_municipality(user, municipality):
        raise PermissionDenied(_("この操作は市政改革室の職員だけが行えます。"))
    if department.municipality_id != municipality.pk:
        raise ValidationError({"department": _("この自治体の所属を選んでください。")})
    role = Role.REFORM_OFFICE if department.is_reform_office else Role.DEPARTMENT_STAFF
    return _new_account(actor=user, department=department, role=role, **account)


# --- the plan workbook ---------------------------------------------------------------------------


def import_plan(*, user, municipality: Municipality, parsed: ParsedPlan) -> Plan:
    """Creates the plan of a plan workbook with its pillars, new departments, initiatives and
    their indicators,
    each with its history row, and one row for the import: all of it, or (ImportRejected,
    every problem per cell) nothing. Checked again here, against the database of the moment."""
    if not manages_municipality(user, municipality):
        raise PermissionDenied(_("この操作は市政改革室の職員だけが行えます。"))
    try:
        with transaction.atomic():
            return _create(user, municipality, validate.check(parsed, municipality))
    except IntegrityError:
        # Somebody confirmed the same workbook (or a plan with its ID) at the same moment.
        raise ImportRejected(
            [
                Problem(
                    _(
                        "同じ内容が同時に登録されたため、登録しませんでした。"
                        "計画が登録済みか確かめてください。"
                    )
                )
            ]
        ) from None


def _create(user, municipality, preview: validate.PlanPreview) -> Plan:
    departments = {d.code: d for d in preview.existing_departments}
    for item in preview.new_departments:
        department = Department(
            municipality=municipality,
            code=item["code"],
            name=item["name"],
            name_en=item["name_en"],
            kind=item["kind"],
        )
        department.full_clean()
        department.save()
        masterdata.record_save(department, None, actor=user)
        departments[department.code] = department
    data = preview.plan
    plan = Plan(
        municipality=municipality,
        slug=data["slug"],
        title=data["title"],
        title_en=data["title_en"],
        summary=data["summary"],
        start_fiscal_year=data["start_fiscal_year"],
        end_fiscal_year=data["end_fiscal_year"],
        order=Plan.objects.count(),
    )
    plan.full_clean()
    plan.save()
    masterdata.record_save(plan, None, actor=user)
    pillars = {}
    for item in preview.pillars:
        pillar = Pillar(
            plan=plan,
            order=item["order"],
            name=item["name"],
            name_en=item["name_en"],
            kind=item["kind"],
            description=item["description"],
            office_tracks_items=item["office_tracks_items"],
        )
        pillar.full_clean()
        pillar.save()
        masterdata.record_save(pillar, None, actor=user)
        pillars[pillar.order] = pillar
    created = {}
    for order, item in enumerate(preview.initiatives, start=1):
        initiative = Initiative(
            plan=plan,
            pillar=pillars[item["pillar"]],
            department=departments[item["department"]],
            code=item["code"],
            order=order,
            title=item["title"],
            title_en=item["title_en"],
            target=item["target"],
            description=item["description"],
            evaluation_timing=item["evaluation_timing"],
            first_evaluated_fiscal_year=item["first_evaluated_fiscal_year"],
            reform_level=item["reform_level"],
        )
        initiative.full_clean()
        initiative.save()
        masterdata.record_save(initiative, None, actor=user)
        created[initiative.code] = initiative
    for item in preview.indicators:
        # Through the indicator service, which checks the office's right to the plan and
        # writes the indicator's own history row, as the office's indicator page does.
        indicator_service.define_indicator(
            user=user,
            initiative_id=created[item["initiative"]].pk,
            values={
                key: item[key]
                for key in (
                    "name",
                    "unit",
                    "direction",
                    "baseline_value",
                    "baseline_year",
                    "target_value",
                    "target_year",
                )
            },
        )
    record(
        HistoryAction.PLAN_IMPORT,
        actor=user,
        subject_type=plan._meta.label_lower,
        subject_id=plan.pk,
        subject_repr=str(plan)[:300],
        changes={
            "file": {"before": "", "after": preview.filename},
            "sha256": {"before": "", "after": preview.sha256},
            "pillars": {"before": 0, "after": len(preview.pillars)},
            "departments": {"before": 0, "after": len(preview.new_departments)},
            "initiatives": {"before": 0, "after": len(preview.initiatives)},
            "indicators": {"before": 0, "after": len(preview.indicators)},
        },
    )
    return plan
