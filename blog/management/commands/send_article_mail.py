from django.core.management.base import BaseCommand

from blog import subscriptions


class Command(BaseCommand):
    help = (
        "E-mail each article that has gone live (a scheduled one at its time) to the readers "
        "who asked for it, once, and delete addresses not confirmed within 7 days. Run it every "
        "minute (deploy/practice-articles.timer); any number may run at once."
    )

    def handle(self, *args, **options):
        announced = subscriptions.announce_due()
        forgotten = subscriptions.forget_unconfirmed()
        for post, count in announced.items():
            if count is None:
                self.stdout.write(f"Article #{post.pk} was announced by another process.")
            else:
                self.stdout.write(f"Article #{post.pk} announced: {count} e-mail(s) queued.")
        ours = sum(count is not None for count in announced.values())
        self.stdout.write(
            f"{ours} article(s) announced, {len(announced) - ours} by another process; "
            f"{forgotten} unconfirmed address(es) deleted."
        )
