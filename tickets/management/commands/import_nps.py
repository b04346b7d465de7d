from tickets.management.commands._import import ImportCommand


class Command(ImportCommand):
    help = "Import dated NPS results (account, date, score) from a CSV file."
    kind = "nps"
