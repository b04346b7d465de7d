from django.core.management.base import BaseCommand, CommandError

from tickets.models import ApiToken


class Command(BaseCommand):
    help = "Create an API bearer token and print it (once: only its hash is stored)."

    def add_arguments(self, parser):
        parser.add_argument("name")

    def handle(self, *args, name: str, **options):
        if ApiToken.objects.filter(name=name).exists():
            raise CommandError(f"A token named {name!r} already exists.")
        _, token = ApiToken.issue(name)
        self.stdout.write(token)
