from django.apps import AppConfig


class ReformtrackerConfig(AppConfig):
    name = "reformtracker"
    verbose_name = "reformtracker"
