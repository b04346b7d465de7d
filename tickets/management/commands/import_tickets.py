from tickets.intake.csv_import import TicketImporter
from vipdesk.lib.csv_import import ImportCommand


class Command(ImportCommand):
    help = "Import tickets from a CSV file (see tickets/intake/csv_import.py for the columns)."
    importer = TicketImporter
