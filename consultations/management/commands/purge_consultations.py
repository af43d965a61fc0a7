from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection, transaction

import outbox
from consultations.models import ConsultationRequest, ContactLogEntry
from staff.audit import record
from staff.models import AuditAction


class Command(BaseCommand):
    help = (
        "Delete closed, not-a-fit and spam consultation requests (with their contact logs) "
        "finished more than CONSULTATION_RETENTION_DAYS days ago. Run it daily."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Only count what would be deleted."
        )

    def handle(self, *args, dry_run=False, **options):
        days = settings.CONSULTATION_RETENTION_DAYS
        expired = ConsultationRequest.objects.purgeable()
        requests = expired.count()
        entries = ContactLogEntry.objects.filter(request__in=expired).count()
        if dry_run:
            self.stdout.write(
                f"Would delete {requests} request(s) and {entries} contact log entr(ies) "
                f"finished more than {days} days ago."
            )
            return
        with transaction.atomic():
            request_ids = list(expired.values_list("pk", flat=True))
            addresses = set(expired.exclude(email="").values_list("email", flat=True))
            expired.delete()
            messages = sum(
                outbox.forget(address)
                for address in addresses
                # Unless the same person has a request that is kept.
                if not ConsultationRequest.objects.filter(email__iexact=address).exists()
            )
            record(AuditAction.PURGE_REQUEST, request_ids=request_ids, detail=f"{days} days")
        if connection.vendor == "sqlite" and not connection.in_atomic_block:
            # Deleted text would otherwise linger in the -wal file until the next checkpoint.
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.stdout.write(
            f"Deleted {requests} request(s), {entries} contact log entr(ies) and {messages} "
            f"e-mail(s) to them, finished more than {days} days ago."
        )
