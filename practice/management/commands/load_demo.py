from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django.db import transaction

import blog.demo
import consultations.demo
import pages.demo
from practice import demo


class Command(BaseCommand):
    help = (
        "Load demo content (pages and articles; sign-in users only when DJANGO_DEBUG=1). "
        "Safe to run again: nothing is duplicated and staff edits are kept."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        created = pages.demo.load()
        self.stdout.write(f"Pages: {created} created, {len(pages.demo.ADDRESSES) - created} kept.")

        if settings.DEBUG:
            users = demo.load_users()
            consultations.demo.load_call_hours(User.objects.get(username="frontdesk"))
            consultations_created = consultations.demo.load()
            consultations.demo.load_referrals()
            self.stdout.write(
                f"Consultation requests (made up, DEBUG only): {consultations_created} created."
            )
        posts = blog.demo.load()
        self.stdout.write(f"Articles: {posts} created; existing articles kept as they are.")

        if not settings.DEBUG:
            self.stdout.write("DEBUG is off: no demo sign-in users were created.")
            return
        self.stdout.write(self.style.SUCCESS("Demo sign-ins for the admin (/admin/):"))
        for username, password, group in users:
            self.stdout.write(f"  {group:<11} username: {username:<10} password: {password}")
