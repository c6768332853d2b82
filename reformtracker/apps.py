from django.apps import AppConfig


class ReformtrackerConfig(AppConfig):
    name = "reformtracker"
    verbose_name = "reformtracker"

    def ready(self):
        from reformtracker import converters

        # Before any URLconf is read: the URL patterns use <id:…> and <fy:…>.
        converters.register()
        # Connects the sign-in log receivers.
        from reformtracker import signals  # noqa: F401
