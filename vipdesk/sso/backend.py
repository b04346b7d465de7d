import logging

import requests
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from vipdesk.lib.roles import Role
from vipdesk.sso import provider
from vipdesk.sso.models import GroupRole, SsoIdentity
from vipdesk.sso.rules import groups_of, id_token_problem, roles_for

logger = logging.getLogger(__name__)

# Session key: why the last single sign-on was refused, for the refusal page.
REFUSAL = "sso_refusal"


class SsoBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's code flow, with discovery, audience and issuer checks,
    users matched by (issuer, subject) and roles from the groups claim."""

    get_settings = staticmethod(provider.setting)

    def authenticate(self, request, **kwargs):
        try:
            return super().authenticate(request, **kwargs)
        except (SuspiciousOperation, requests.RequestException) as error:
            logger.warning("single sign-on refused: %s", error)
            return None

    def get_payload_data(self, token, key):
        payload = super().get_payload_data(token, key)  # signature and algorithm
        problem = id_token_problem(payload, settings.OIDC_ISSUER, self.OIDC_RP_CLIENT_ID)
        if problem:
            raise SuspiciousOperation(f"ID token refused: {problem}")
        return payload

    def get_userinfo(self, access_token, id_token, payload):
        """The ID token's claims completed by the userinfo endpoint's (same subject)."""
        info = super().get_userinfo(access_token, id_token, payload)
        if info.get("sub") != payload["sub"]:
            raise SuspiciousOperation("userinfo is about another subject")
        return {**payload, **info}

    def verify_claims(self, claims) -> bool:
        """Only users with a mapped group get in; the others keep no role."""
        if self.roles(claims):
            return True
        groups = groups_of(claims, settings.OIDC_GROUPS_CLAIM)
        for user in self.filter_users_by_claims(claims):
            set_roles(user, set())
        self.request.session[REFUSAL] = {"groups": groups}
        return False

    def roles(self, claims) -> set[str]:
        mapping = dict(GroupRole.objects.values_list("group", "role"))
        return roles_for(groups_of(claims, settings.OIDC_GROUPS_CLAIM), mapping)

    def filter_users_by_claims(self, claims):
        return self.UserModel.objects.filter(
            sso_identity__issuer=claims["iss"], sso_identity__subject=claims["sub"]
        )

    @transaction.atomic
    def create_user(self, claims):
        base = claims.get("preferred_username") or claims.get("email") or claims["sub"]
        username = base[:150]
        if self.UserModel.objects.filter(username=username).exists():
            # Never take over a local account by name: SSO users are their own.
            username = f"{base[:140]}~{claims['sub'][:8]}"
        user = self.UserModel.objects.create_user(username=username)  # unusable password
        SsoIdentity.objects.create(user=user, issuer=claims["iss"], subject=claims["sub"])
        return self.update_user(user, claims)

    def update_user(self, user, claims):
        """The provider's name and e-mail, and the roles of the groups, at every login."""
        user.email = claims.get("email", user.email)
        user.first_name = claims.get("given_name", user.first_name)[:150]
        user.last_name = claims.get("family_name", user.last_name)[:150]
        user.save(update_fields=["email", "first_name", "last_name"])
        set_roles(user, self.roles(claims))
        return user


def set_roles(user, roles: set[str]) -> None:
    """Make the user's role groups exactly `roles` (other groups stay); admins are staff."""
    role_groups = list(Group.objects.filter(name__in=Role.ALL))
    user.groups.remove(*[g for g in role_groups if g.name not in roles])
    user.groups.add(*[g for g in role_groups if g.name in roles])
    user.is_staff = Role.ADMIN in roles
    user.save(update_fields=["is_staff"])


def is_sso_attempt(request, credentials=None) -> bool:
    """django-axes whitelist (AXES_WHITELIST_CALLABLE): the provider throttles its own
    password form, and a forged callback guesses nothing (state, PKCE); counting
    refusals here, keyed by address alone, would lock an office out behind one NAT."""
    match = request.resolver_match
    return match is not None and match.url_name == "oidc_authentication_callback"
