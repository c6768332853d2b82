from django.apps import AppConfig


class ReformtrackerConfig(AppConfig):
    name = "reformtracker"
    verbose_name = "reformtracker"

    def ready(self):
        # Connects the sign-in log receivers.
        from reformtracker import signals  # noqa: F401
