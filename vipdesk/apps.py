from django.apps import AppConfig
from django.db.models.signals import post_migrate


class VipdeskConfig(AppConfig):
    name = "vipdesk"
    verbose_name = "vipdesk"

    def ready(self) -> None:
        from vipdesk.lib import roles

        # Groups hold permissions, which Django creates after migrating; a fresh
        # install gets the four roles without a manual step.
        post_migrate.connect(roles.ensure_groups_after_migrate, sender=self)
