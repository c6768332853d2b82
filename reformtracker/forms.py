"""What every form view does with a refusal from a service or a model's ``full_clean``."""

from __future__ import annotations

from django.core.exceptions import ValidationError


def add_errors(form, exc: ValidationError) -> None:
    """Put ``exc`` on ``form``: each field's errors at that field when the form has it, the rest
    (and an error without fields) at the top of the form, so nothing refused goes unsaid."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)
