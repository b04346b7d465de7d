from django.apps import AppConfig


class InsightConfig(AppConfig):
    """The pages combining every app (reports among them), the scoring commands, the
    backtest runs and the monthly rollups (MonthlyRollup)."""

    name = "vipdesk.insight"
    label = "insight"
    verbose_name = "insight"
