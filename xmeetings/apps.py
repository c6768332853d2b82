from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class XmeetingsConfig(AppConfig):
    name = "xmeetings"
    verbose_name = _("X会議・スケジュール")
