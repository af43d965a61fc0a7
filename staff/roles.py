"""The staff roles, kept as groups. Data migrations call grant() as models arrive."""

CLINICIANS = "Clinicians"
FRONT_DESK = "Front desk"


def grant(apps, group_name, permissions):
    """Give `group_name` the permissions named "app_label.codename", creating what is missing.

    Permissions are normally made after migrations finish (post_migrate), so a data migration
    creates them first.
    """
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=group_name)
    for name in permissions:
        app_label, codename = name.split(".")
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
