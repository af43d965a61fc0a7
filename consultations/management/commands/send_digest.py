from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from consultations import digest


class Command(BaseCommand):
    help = (
        "Send today's digest of overdue, booked and unassigned consultation requests to staff, "
        "once CONSULTATION_DIGEST_HOUR (practice time) has come. Safe to run as often as you "
        "like, from several machines at once: each day's digest goes once."
    )

    def handle(self, *args, **options):
        hour = settings.CONSULTATION_DIGEST_HOUR
        if not 0 <= hour <= 23:
            raise CommandError(f"CONSULTATION_DIGEST_HOUR must be 0 to 23, not {hour}.")
        now = timezone.now()
        if digest.due_day(now) is None:
            self.stdout.write(f"Not yet: today's digest goes from {hour}:00, practice time.")
            return
        sent = digest.send_due(now)
        if sent is None:
            self.stdout.write("Today's digest was handled already.")
        elif sent == 0:
            self.stdout.write("Nothing to say today: no e-mail sent, and the day is recorded.")
        else:
            self.stdout.write(f"Today's digest: {sent} e-mail(s) queued.")
