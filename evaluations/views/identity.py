"""The reform office's identity page (/office/identity/<municipality>/) and the two public
files it feeds: the logo and the accent colour's stylesheet.

The page writes only through ``evaluations.identity.update_identity``; the logo and the
stylesheet are public (every page of the city links them), read from the row and served with
their type, ``nosniff`` and a long cache when their address carries the content's digest.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from evaluations import identity
from initiatives.models import Municipality

INVALID = 422
IMMUTABLE = "public, max-age=31536000, immutable"


class IdentityForm(forms.ModelForm):
    logo_upload = forms.FileField(
        label=gettext_lazy("ロゴ画像（PNG・JPEG）"),
        required=False,
        help_text=gettext_lazy("新しい画像を選んだときだけ置き換えます。"),
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    remove_logo = forms.BooleanField(label=gettext_lazy("ロゴ画像を外す"), required=False)

    class Meta:
        model = Municipality
        fields = identity.IDENTITY_FIELDS
        widgets = {"accent_colour": forms.TextInput(attrs={"placeholder": "#1a5fb4"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        source = identity.contact_source(self.instance)
        if source is not None:
            self.fields["contact"].help_text = _(
                "「%(title)s」（%(date)s公表）から引用した問合せ先です。"
                "書き換えると、出典は表示されなくなります。"
            ) % {"title": source.title, "date": source.published_on_label}

    def clean_accent_colour(self):
        return self.cleaned_data["accent_colour"].strip().lower()


def _form_errors_from(form: IdentityForm, exc: ValidationError) -> None:
    for name, messages_ in exc.message_dict.items():
        field = "logo_upload" if name == "logo" else name
        for message in messages_:
            form.add_error(field if field in form.fields else None, message)


@login_required
@require_GET
def office_identity_list(request):
    """The municipalities whose identity the user may edit; one goes straight to its page."""
    municipalities = identity.offices_of(request.user)
    if not municipalities:
        raise Http404("No Municipality in reach.")
    if len(municipalities) == 1:
        return redirect("identity:edit", municipalities[0].slug)
    return render(request, "evaluations/office/identity.html", {"municipalities": municipalities})


@login_required
@require_http_methods(["GET", "POST"])
def office_identity(request, slug: str):
    municipality = identity.municipality_for_office(request.user, slug)
    status = 200
    if request.method == "POST":
        form = IdentityForm(request.POST, request.FILES, instance=municipality)
        if form.is_valid():
            values = {name: form.cleaned_data[name] for name in identity.IDENTITY_FIELDS}
            try:
                identity.update_identity(
                    user=request.user,
                    slug=slug,
                    values=values,
                    logo=form.cleaned_data.get("logo_upload"),
                    remove_logo=form.cleaned_data.get("remove_logo", False),
                )
            except ValidationError as exc:
                _form_errors_from(form, exc)
            else:
                messages.success(request, _("表示設定を保存しました。"))
                return redirect("identity:edit", slug)
        status = INVALID
        municipality.refresh_from_db()
    else:
        form = IdentityForm(instance=municipality)
    return render(
        request,
        "evaluations/office/identity.html",
        {
            "municipality": municipality,
            "identity": identity.identity_of(municipality),
            "form": form,
        },
        status=status,
    )


@require_GET
def logo(request, slug: str, name: str):
    """A municipality's current logo. Its name holds a digest of its bytes, so it never changes
    at this address and may be cached for a year; a replaced logo is a 404 here."""
    municipality = get_object_or_404(Municipality, slug=slug)
    if not municipality.logo or municipality.logo.name != name:
        raise Http404("No such logo.")
    storage = identity.logo_storage()
    response = FileResponse(storage.open(name, "rb"), content_type=identity.logo_content_type(name))
    response["Cache-Control"] = IMMUTABLE
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response


@require_GET
def accent_css(request, slug: str, colour: str):
    """The city's accent colour as a stylesheet (pages carry no inline style: the CSP refuses
    it). The colour is in the address, so the file is cached for a year."""
    municipality = get_object_or_404(Municipality, slug=slug)
    if municipality.accent_colour.lstrip("#") != colour:
        raise Http404("No such colour.")
    css = f":root {{ --municipality-accent: #{colour}; }}\n"
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    response["Cache-Control"] = IMMUTABLE
    response["X-Content-Type-Options"] = "nosniff"
    return response
