"""vipdesk/sso/rules.py: roles from groups, and whose ID token this is."""

import pytest

from vipdesk.sso.rules import groups_of, id_token_problem, roles_for

ISSUER = "https://idp.example.com/realms/corp"
MAPPING = {"cs": "CSM", "leads": "Support lead", "ops": "Support lead"}


def token(**claims):
    return {"iss": ISSUER, "aud": "vipdesk", "sub": "u-1"} | claims


@pytest.mark.parametrize(
    ("claims", "groups"),
    [
        ({"groups": ["a", "b"]}, ["a", "b"]),
        ({"groups": "a"}, ["a"]),
        ({}, []),
        ({"groups": None}, []),
    ],
)
def test_it_reads_the_groups_claim_as_a_list(claims, groups):
    assert groups_of(claims, "groups") == groups


def test_it_grants_the_roles_of_the_mapped_groups_only():
    assert roles_for(["cs", "leads", "ops", "marketing"], MAPPING) == {"CSM", "Support lead"}
    assert roles_for(["marketing"], MAPPING) == set()
    assert roles_for(["CS"], MAPPING) == set()  # exactly as the provider sends it


def test_it_accepts_our_token():
    assert id_token_problem(token(), ISSUER, "vipdesk") is None
    assert id_token_problem(token(iss=ISSUER + "/"), ISSUER, "vipdesk") is None
    assert id_token_problem(token(aud=["vipdesk", "api"], azp="vipdesk"), ISSUER, "vipdesk") is None


@pytest.mark.parametrize(
    ("claims", "problem"),
    [
        ({"iss": "https://evil.example.com"}, "issued by"),
        ({"aud": "other-app"}, "audience"),
        ({"aud": ["other-app", "api"]}, "audience"),
        ({"aud": ["vipdesk", "other-app"], "azp": "other-app"}, "azp"),
        ({"sub": ""}, "no subject"),
    ],
)
def test_it_refuses_a_token_not_for_us(claims, problem):
    assert problem in id_token_problem(token(**claims), ISSUER, "vipdesk")
