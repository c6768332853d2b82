"""The history section of the public initiative page: everything for staff in scope, published
versions for everyone else. A tag (not the view) so the public view stays a function of the
published snapshots for anonymous visitors."""

from django import template

from evaluations import history
from initiatives.models import Initiative

register = template.Library()


@register.inclusion_tag("evaluations/_initiative_history.html", takes_context=True)
def initiative_history(context, initiative):
    request = context.get("request")
    user = getattr(request, "user", None)
    staff_view = bool(
        user is not None
        and user.is_authenticated
        and Initiative.objects.visible_to(user).filter(pk=initiative.pk).exists()
    )
    rows = history.staff_rows(initiative) if staff_view else history.public_rows(initiative)
    return {"rows": rows, "staff_view": staff_view}
