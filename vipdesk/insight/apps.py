from django.apps import AppConfig


class InsightConfig(AppConfig):
    """The pages combining every app, the scoring commands and the backtest runs."""

    name = "vipdesk.insight"
    label = "insight"
    verbose_name = "insight"
