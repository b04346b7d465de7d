from tickets.management.commands._import import ImportCommand


class Command(ImportCommand):
    help = "Import dated weekly active users (account, week, active_users) from a CSV file."
    kind = "usage"
