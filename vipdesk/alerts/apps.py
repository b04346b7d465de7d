from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "vipdesk.alerts"
    label = "alerts"
    verbose_name = "alerts"
