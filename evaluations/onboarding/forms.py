"""The forms of the onboarding pages: the first-run operator, a municipality with its reform
office and first account, a department staff account, and the plan workbook upload."""

from __future__ import annotations

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _

from evaluations.rules import validate_visible_text
from initiatives.models import Department, Municipality

_VISIBLE = [validate_visible_text]


def _account_fields(*, password_required: bool) -> dict:
    password_help = (
        _("12文字以上。ほかの人と共有しないでください。")
        if password_required
        else _("空欄にすると、本人がパスワードを決めるためのリンクを表示します。")
    )
    return {
        "username": forms.CharField(
            label=_("ユーザー名"),
            max_length=150,
            validators=[UnicodeUsernameValidator(), *_VISIBLE],
            help_text=_("半角英数字と @ . + - _ が使えます。"),
        ),
        "full_name": forms.CharField(
            label=_("氏名"), max_length=150, required=False, validators=_VISIBLE
        ),
        "email": forms.EmailField(label=_("メールアドレス")),
        "password": forms.CharField(
            label=_("パスワード"),
            required=password_required,
            strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
            help_text=password_help,
        ),
    }


class OperatorForm(forms.Form):
    """The first-run page: the site's operator (a superuser)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(_account_fields(password_required=True))
        self.fields["password_again"] = forms.CharField(
            label=_("パスワード（確認）"),
            strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("パスワードが一致しません。"))
        return data

    def account(self) -> dict:
        return {k: self.cleaned_data[k] for k in ("username", "email", "password", "full_name")}


class MunicipalityForm(forms.ModelForm):
    """A municipality, its reform office and the office's first account, on one form."""

    office_code = forms.CharField(
        label=_("改革担当所属の所属コード"),
        max_length=30,
        initial="kaikaku",
        validators=_VISIBLE,
        help_text=_("半角英数字。例：kaikaku"),
    )
    office_name = forms.CharField(
        label=_("改革担当所属の名称"),
        max_length=100,
        initial="市政改革室",
        validators=_VISIBLE,
    )
    office_name_en = forms.CharField(
        label=_("改革担当所属の英語名"), max_length=200, required=False, validators=_VISIBLE
    )

    class Meta:
        model = Municipality
        fields = ["name", "name_en", "prefecture", "local_code", "slug"]
        help_texts = {"slug": _("ページのアドレスに使う半角英小文字・数字・ハイフン。例：midori")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(_account_fields(password_required=False))
        for name in ("name", "name_en"):
            self.fields[name].validators.append(validate_visible_text)
        self.fields["prefecture"].required = True

    def office(self) -> Department:
        return Department(
            code=self.cleaned_data["office_code"],
            name=self.cleaned_data["office_name"],
            name_en=self.cleaned_data["office_name_en"],
            kind=Department.Kind.OFFICE,
        )

    def account(self) -> dict:
        return {k: self.cleaned_data[k] for k in ("username", "email", "password", "full_name")}


class MemberForm(forms.Form):
    """A department staff member's account."""

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"] = forms.ModelChoiceField(
            label=_("所属"),
            queryset=Department.objects.filter(municipality=municipality).order_by("code"),
            empty_label=_("（所属を選んでください）"),
        )
        self.fields.update(_account_fields(password_required=False))

    def account(self) -> dict:
        return {k: self.cleaned_data[k] for k in ("username", "email", "password", "full_name")}


class UploadForm(forms.Form):
    file = forms.FileField(label=_("記入した計画ブック（.xlsx）"))
