"""How the reform office's edit pages (evaluations/views/office_edit/) answer: what every one of
them shares, kept beside them rather than among them (only URLconfs import views). Their door
(methods, sign-in, the plan under the office's access check) and the one shape of a form's POST
through a service (saved: a notice and off to the next page; refused: 422 with the errors at
their fields, 409 when somebody saved first)."""

from __future__ import annotations

from functools import wraps
from typing import NamedTuple

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from evaluations import access, office_forms
from evaluations.services import plan_edits
from evaluations.services.plan_edits import Stale
from reformtracker.forms import add_errors
from reformtracker.htmx_auth import login_required

CONFLICT = 409
INVALID = 422
OBJECT_FORM = "evaluations/office/object_form.html"


def office_page(*methods):
    """The door of an office page: the HTTP methods it answers (405 otherwise), sign-in (an
    htmx request of a signed-out user is sent to the sign-in page), and the plan of the
    address through access.plan_for_manager (404 / 403), given to the view instead of its slug."""

    def decorate(view):
        @wraps(view)
        def with_plan(request, slug, **kwargs):
            return view(request, access.plan_for_manager(request.user, slug), **kwargs)

        return require_http_methods(list(methods))(login_required(with_plan, fallback="/office/"))

    return decorate


def index_url(plan) -> str:
    return reverse("office_edit:plan", args=[plan.slug])


def done(request, notice: str, url: str):
    messages.success(request, notice)
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


def render_page(request, template, context, status=200):
    """The page, or with htmx and a refused form only its ``form`` fragment."""
    if request.htmx and status != 200:
        template += "#form"
    return render(request, template, context, status=status)


class Outcome(NamedTuple):
    """What ``submit`` made of a POST: after a save, ``response`` (the redirect); otherwise the
    ``status`` to answer with (422 or 409), the ``form`` to show again and, for 409, ``stale``."""

    response: HttpResponse | None
    status: int
    form: forms.BaseForm
    stale: Stale | None = None


def submit(request, form, save, *, notice, next_url, stale_form=None) -> Outcome:
    """A form's POST through its service, ``save(cleaned_data)``. Saved: ``notice`` and off to
    ``next_url`` (each a string, or a function of what ``save`` returned). Refused: 422 with the
    errors at their fields; 409 when somebody saved first, the form being ``stale_form(data,
    stale)`` bound to the editor's values with the stored row's token (saving again is then a
    deliberate overwrite) or, without ``stale_form``, the form as sent with the refusal on top."""
    if not form.is_valid():
        return Outcome(None, INVALID, form)
    try:
        result = save(form.cleaned_data)
    except Stale as stale:
        if stale_form is None:
            form.add_error(None, str(stale))
        else:
            form = stale_form(_with_fresh_token(request, stale), stale)
            form.is_valid()
        return Outcome(None, CONFLICT, form, stale)
    except ValidationError as exc:
        add_errors(form, exc)
        return Outcome(None, INVALID, form)
    notice = notice(result) if callable(notice) else notice
    url = next_url(result) if callable(next_url) else next_url
    return Outcome(done(request, notice, url), 200, form)


def _with_fresh_token(request, stale: Stale):
    """The editor's values with the token of the row as stored now: after reading what the
    other person saved, saving again is a deliberate overwrite."""
    data = request.POST.copy()
    data["token"] = plan_edits.edit_token(stale.obj)
    return data


def conflict_rows(form, current: dict) -> list[tuple[str, str]]:
    """The stored value of each field where it differs from what the editor sent (a choice of
    an object compared by its name, as history keeps it)."""
    rows = []
    for name, field in form.fields.items():
        if name == "token" or name not in current:
            continue
        sent = form[name].value()
        if isinstance(field, forms.ModelChoiceField):
            chosen = field.queryset.filter(pk=sent).first() if sent not in (None, "") else None
            sent = str(chosen) if chosen is not None else ""
        stored = current[name]
        if str(stored if stored is not None else "") != str(sent if sent is not None else ""):
            rows.append((str(field.label), str(stored) if stored not in ("", None) else "—"))
    return rows


def edit_object(request, obj, form_class, save, *, notice, next_url, page):
    """The edit of one object: GET shows its form, POST saves through ``save(cleaned_data)``;
    ``page(form, status, conflict)`` renders the form (200, 422, or 409 with ``conflict``, the
    stored values that differ from what the editor sent)."""
    if request.method != "POST":
        return page(form_class(instance=obj), 200, None)
    sent = submit(
        request,
        form_class(request.POST, instance=obj),
        save,
        notice=notice,
        next_url=next_url,
        # A row gone since the editor loaded it (a narrative) leaves the editor's object.
        stale_form=lambda data, stale: form_class(
            data, instance=stale.obj if stale.obj.pk else obj
        ),
    )
    if sent.response is not None:
        return sent.response
    conflict = conflict_rows(sent.form, sent.stale.current) if sent.stale else None
    return page(sent.form, sent.status, conflict)


def edit_page(request, *, plan, obj, form_class, save, title, back, notice, **extra):
    """``edit_object`` on the page of one object (object_form.html), which goes ``back`` when
    saved; ``extra`` is more context for the page."""

    def page(form, status, conflict):
        context = {
            "plan": plan,
            "form": form,
            "title": title,
            "back": back,
            "conflict": conflict,
            **extra,
        }
        return render_page(request, OBJECT_FORM, context, status)

    return edit_object(request, obj, form_class, save, notice=notice, next_url=back, page=page)


def list_page(request, plan, form, add, *, notice, next_url, template, context):
    """A list page with its add form: GET shows them; POST adds through ``add(cleaned_data)``
    and, saved, says ``notice`` and goes to ``next_url`` (each may take what was added), or
    shows the page again, 422 with the errors at their fields (with htmx, the form alone).
    ``context()`` gives what the page lists, read only when it is shown."""
    status = 200
    if request.method == "POST":
        sent = submit(request, form, add, notice=notice, next_url=next_url)
        if sent.response is not None:
            return sent.response
        status = sent.status
    return render_page(request, template, {"plan": plan, "form": form, **context()}, status)


def with_tokens(rows) -> list:
    """The rows, each with the ``token`` its buttons post (its edit_token)."""
    rows = list(rows)
    for row in rows:
        row.token = plan_edits.edit_token(row)
    return rows


def token_action(request, back: str, act, notice: str):
    """A button's POST (move, delete): the token it carried, the service, a message, back."""
    form = office_forms.TokenForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("操作を受け付けられませんでした。ページを読み込み直してください。")
        )
        return redirect(back)
    try:
        act(form.cleaned_data)
    except Stale as stale:
        messages.error(request, str(stale))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, notice)
    if request.htmx:
        return HttpResponseClientRedirect(back)
    return redirect(back)


def delete_page(request, *, plan, make_form, delete, context, notice, next_url):
    """A confirmation page that deletes on POST (confirm_delete.html): 422 with the reason at
    its field, 409 when the object changed since the page was loaded (the page then carries
    the stored row's token, so confirming again is deliberate)."""
    if request.method != "POST":
        form, status = make_form(None), 200
    else:
        sent = submit(
            request,
            make_form(request.POST),
            delete,
            notice=notice,
            next_url=next_url,
            stale_form=lambda data, stale: make_form(data),
        )
        if sent.response is not None:
            return sent.response
        form, status = sent.form, sent.status
        if sent.stale is not None:
            form.add_error(None, str(sent.stale))
    return render_page(
        request,
        "evaluations/office/confirm_delete.html",
        {"plan": plan, "form": form, **context},
        status,
    )
