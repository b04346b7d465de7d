"""Pure rules of single sign-on: which roles a provider's groups grant, and whether an
ID token was issued by our provider for us."""

from collections.abc import Iterable


def groups_of(claims: dict, claim: str) -> list[str]:
    """The groups claim as a list (providers send a list, a few a single string)."""
    value = claims.get(claim) or []
    return [value] if isinstance(value, str) else [str(g) for g in value]


def roles_for(groups: Iterable[str], mapping: dict[str, str]) -> set[str]:
    """The roles the mapping (provider group → role) grants to these groups."""
    return {mapping[g] for g in groups if g in mapping}


def id_token_problem(payload: dict, issuer: str, client_id: str) -> str | None:
    """Why an ID token (signature already checked) is not for us, or None."""
    if payload.get("iss", "").rstrip("/") != issuer:
        return f"issued by {payload.get('iss')!r}, not {issuer!r}"
    audience = payload.get("aud") or []
    audience = [audience] if isinstance(audience, str) else list(audience)
    if client_id not in audience:
        return f"audience {audience!r} does not include this client"
    if len(audience) > 1 and payload.get("azp") != client_id:
        return "issued to another party (azp)"
    if not payload.get("sub"):
        return "no subject"
    return None
