from accounts.imports import ContactImporter
from vipdesk.lib.csv_import import ImportCommand


class Command(ImportCommand):
    help = "Import contacts from a CSV file (see accounts/imports.py for the columns)."
    importer = ContactImporter
