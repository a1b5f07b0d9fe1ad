"""The editorial roles' permissions, granted by data migrations.

Functions here receive the migration's historical ``apps``: they must keep working for every
migration that calls them, so change them only by adding arguments with defaults.
"""

from django.contrib.auth.management import create_permissions

AUTHORS_GROUP = "Rédacteurs"
EDITORS_GROUP = "Éditeurs"


def grant(apps, group_name, app_label, models=None, codenames=None):
    """Give ``group_name`` the permissions of ``app_label``: on ``models`` only, or only
    ``codenames``, or all of them."""
    # Permissions are normally created after migrations; the group needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label=app_label)
    if models is not None:
        permissions = permissions.filter(content_type__model__in=models)
    if codenames is not None:
        permissions = permissions.filter(codename__in=codenames)
        missing = set(codenames) - set(permissions.values_list("codename", flat=True))
        if missing:
            raise LookupError(f"No such permissions in {app_label}: {sorted(missing)}")
    group, _ = Group.objects.get_or_create(name=group_name)
    group.permissions.add(*permissions)


def revoke(apps, group_name, app_label, codenames):
    """Take ``codenames`` of ``app_label`` from ``group_name``, if the group exists."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label=app_label, codename__in=codenames
    )
    for group in Group.objects.filter(name=group_name):
        group.permissions.remove(*permissions)
