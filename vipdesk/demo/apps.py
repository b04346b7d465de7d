from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Installed only for its seed_demo management command; it has no models."""

    name = "vipdesk.demo"
    label = "demo"
    verbose_name = "demo data"
