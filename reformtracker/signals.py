"""Sign-in events to the log: successes, failures and django-axes lock-outs."""

import logging

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

logger = logging.getLogger("reformtracker.security")


def _address(request) -> str:
    if request is None:
        return "-"
    return getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR", "-")


@receiver(user_logged_in)
def log_login(sender, request, user, **kwargs):
    logger.info("login: user=%s ip=%s", user.get_username(), _address(request))


@receiver(user_logged_out)
def log_logout(sender, request, user, **kwargs):
    logger.info("logout: user=%s", user.get_username() if user else "-")


@receiver(user_login_failed)
def log_login_failed(sender, credentials, request=None, **kwargs):
    # credentials are already cleansed of the password by Django.
    logger.warning(
        "login failed: user=%s ip=%s", credentials.get("username", "-"), _address(request)
    )


@receiver(user_locked_out)
def log_locked_out(sender, request, username, ip_address, **kwargs):
    logger.warning("locked out: user=%s ip=%s", username, ip_address)
