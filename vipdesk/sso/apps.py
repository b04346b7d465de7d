from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "vipdesk.sso"
    label = "sso"
    verbose_name = "single sign-on"
