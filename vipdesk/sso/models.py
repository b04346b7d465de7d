from django.conf import settings
from django.db import models

from vipdesk.lib.roles import Role


class GroupRole(models.Model):
    """A group of the identity provider (its groups claim) and the vipdesk role its
    members get at login."""

    group = models.CharField(
        "provider group", max_length=200, unique=True, help_text="Exactly as the provider sends it."
    )
    role = models.CharField(max_length=20, choices=[(r, r) for r in Role.ALL])

    class Meta:
        ordering = ["group"]
        verbose_name = "group → role mapping"

    def __str__(self) -> str:
        return f"{self.group} → {self.role}"


class SsoIdentity(models.Model):
    """Who a user is at the identity provider: the ID token's issuer and subject."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sso_identity"
    )
    issuer = models.CharField(max_length=200)
    subject = models.CharField(max_length=255)

    class Meta:
        verbose_name_plural = "SSO identities"
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="one_user_per_sso_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} at {self.issuer}"
