from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    name = "evaluations"
    verbose_name = _("評価・公表")

    def ready(self):
        # The worker's heartbeat is a readiness check (/readyz). Registered from here, so the
        # project package (reformtracker.health) names no domain app.
        from evaluations.heartbeat import worker_heartbeat
        from reformtracker import health

        if worker_heartbeat not in health.READINESS_CHECKS:
            health.READINESS_CHECKS.append(worker_heartbeat)
