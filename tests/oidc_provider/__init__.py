"""A real OpenID Connect provider for the single sign-on tests: a tiny Django project
on django-oauth-toolkit (RS256 ID tokens, PKCE, discovery, JWKS, userinfo, RP-initiated
logout) with a groups claim. Run as `python -m tests.oidc_provider PORT` with
OIDC_PROVIDER_DB and OIDC_PROVIDER_KEY (an RSA private key file) set; the
tests/sso/provider.py fixture does that and seeds it through POST /test/setup."""
