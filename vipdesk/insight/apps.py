from django.apps import AppConfig


class InsightConfig(AppConfig):
    """The insight pages (board, account 360, dashboard, reports), the score_accounts
    command and the monthly rollups (MonthlyRollup)."""

    name = "vipdesk.insight"
    label = "insight"
    verbose_name = "insight"
