"""Django's ModelBackend, reading a user's permissions in one query instead of two.

ModelBackend asks once for the user's own permissions and once for their groups'; every staff
request checks a permission, so this is a round trip on each. The result is cached on the user
object (Django's own ``_perm_cache``), so once per request as before.
"""

from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.contrib.auth.models import Permission


class ModelBackend(DjangoModelBackend):
    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            if user_obj.is_superuser:
                return super().get_all_permissions(user_obj, obj)
            fields = ("content_type__app_label", "codename")
            own = Permission.objects.filter(user=user_obj).order_by().values_list(*fields)
            groups = Permission.objects.filter(group__user=user_obj).order_by().values_list(*fields)
            user_obj._perm_cache = {
                f"{app}.{codename}" for app, codename in own.union(groups).order_by()
            }
        return user_obj._perm_cache
