import pytest

from tests.sso import provider as oidc
from vipdesk.settings import origin
from vipdesk.sso import provider as discovery


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    """A real OpenID Connect provider (tests/oidc_provider) for the whole session."""
    process, provider = oidc.start(tmp_path_factory.mktemp("oidc-provider"))
    yield provider
    process.terminate()
    process.wait(timeout=10)


def enable_sso(settings, provider: oidc.Provider, *base_urls: str) -> None:
    """Point vipdesk at the provider and register vipdesk there for these base URLs."""
    settings.OIDC_ISSUER = provider.issuer
    settings.OIDC_RP_CLIENT_ID = oidc.CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = oidc.CLIENT_SECRET
    settings.OIDC_PROVIDER_NAME = "Test IdP"
    settings.SSO_ENABLED = True
    form_action = [*settings.SECURE_CSP["form-action"], origin(provider.base)]
    settings.SECURE_CSP = {**settings.SECURE_CSP, "form-action": form_action}
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "vipdesk.sso.backend.SsoBackend",
    ]
    provider.client(
        oidc.CLIENT_ID,
        oidc.CLIENT_SECRET,
        *[f"{base}/oidc/callback/" for base in base_urls],
        logout_uris=[f"{base}/login/" for base in base_urls],
    )
    discovery._documents.clear()


@pytest.fixture
def sso(settings, oidc_provider, db):
    enable_sso(settings, oidc_provider, "http://testserver")
    return oidc_provider
