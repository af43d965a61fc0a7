"""Demo sign-ins for `manage.py load_demo`, for local development only."""

from django.conf import settings
from django.contrib.auth.models import Group, User

from staff.roles import CLINICIANS, FRONT_DESK

DEMO_USERS = [
    # username, password, first name, last name, group
    ("dana", "demo-clinician-pass", "Dana", "Reyes", CLINICIANS),
    ("frontdesk", "demo-frontdesk-pass", "Jordan", "Lee", FRONT_DESK),
]


def load_users():
    """Demo sign-ins for local development. Refuses to run outside DEBUG."""
    if not settings.DEBUG:
        raise RuntimeError("Demo users are only created when DJANGO_DEBUG=1.")
    for username, password, first_name, last_name, group_name in DEMO_USERS:
        user, _ = User.objects.get_or_create(username=username)
        user.first_name, user.last_name = first_name, last_name
        user.is_staff = user.is_active = True
        user.set_password(password)  # reset each run, so the printed credentials always work
        user.save()
        user.groups.add(Group.objects.get(name=group_name))
    return [(username, password, group) for username, password, _, _, group in DEMO_USERS]
