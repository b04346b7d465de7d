from django.apps import AppConfig


class InsightConfig(AppConfig):
    """Installed for its score_accounts management command; it has no models."""

    name = "vipdesk.insight"
    label = "insight"
    verbose_name = "insight"
