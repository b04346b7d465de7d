from django.core.management.base import BaseCommand

from tickets.routing.jobs import route_pending


class Command(BaseCommand):
    help = "Route every ticket not yet routed (synchronously) and print how many."

    def handle(self, *args, **options):
        count = route_pending()
        self.stdout.write(f"Routed {count} ticket{'s' if count != 1 else ''}.")
