"""Single sign-on with OpenID Connect (mozilla-django-oidc), on when OIDC_ISSUER and
OIDC_RP_CLIENT_ID are set.

The provider is found by discovery (`<issuer>/.well-known/openid-configuration`);
the code flow uses PKCE and a nonce; the ID token's signature (the provider's JWKS),
issuer and audience are checked. Users are matched by (issuer, subject), created on
first login, and get their roles from the provider's groups claim through the
admin-edited GroupRole mapping, again at every login. A user with no mapped group
is refused with an "ask your admin" page and keeps no role.
"""
