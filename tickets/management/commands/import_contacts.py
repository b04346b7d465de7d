from tickets.management.commands._import import ImportCommand


class Command(ImportCommand):
    help = "Import contacts from a CSV file (see tickets/intake/csv_import.py for the columns)."
    kind = "contacts"
