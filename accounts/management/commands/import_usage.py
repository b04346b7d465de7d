from accounts.imports import UsageImporter
from vipdesk.lib.csv_import import ImportCommand


class Command(ImportCommand):
    help = "Import dated weekly active users (account, week, active_users) from a CSV file."
    importer = UsageImporter
