from accounts.imports import NpsImporter
from vipdesk.lib.csv_import import ImportCommand


class Command(ImportCommand):
    help = "Import dated NPS results (account, date, score) from a CSV file."
    importer = NpsImporter
