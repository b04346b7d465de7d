from accounts.imports import AccountImporter
from vipdesk.lib.csv_import import ImportCommand


class Command(ImportCommand):
    help = "Import accounts from a CSV file (see accounts/imports.py for the columns)."
    importer = AccountImporter
