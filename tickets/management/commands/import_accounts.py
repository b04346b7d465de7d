from tickets.management.commands._import import ImportCommand


class Command(ImportCommand):
    help = "Import accounts from a CSV file (see tickets/intake/csv_import.py for the columns)."
    kind = "accounts"
