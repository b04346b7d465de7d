"""Access to the board, account, dashboard and home pages for every role, and what the
pages do with hostile input."""

import pytest
from django.core.cache import cache

from accounts.models import CsmNote, RiskFlagFeedback
from tests.accounts.helpers import make_scored_account
from tests.factories import make_contact

ROLES = ["csm", "lead", "agent_user", "admin_user", "outsider", "anonymous"]

# (method, path template, {role: expected status}); {id} is an account owned by `csm`.
GET_PAGES = [
    (
        "/accounts/at-risk/",
        {"csm": 200, "lead": 200, "agent_user": 403, "admin_user": 200, "outsider": 200},
    ),
    (
        "/accounts/{id}/",
        {"csm": 200, "lead": 200, "agent_user": 200, "admin_user": 200, "outsider": 200},
    ),
    (
        "/dashboard/",
        {"csm": 200, "lead": 200, "agent_user": 403, "admin_user": 200, "outsider": 200},
    ),
    ("/", {"csm": 200, "lead": 200, "agent_user": 302, "admin_user": 200, "outsider": 200}),
]
WRITES = [
    ("/accounts/{id}/notes/", {"body": "Call went fine"}),
    ("/accounts/{id}/flag/", {"verdict": "accurate"}),
    ("/accounts/{id}/intervention/", {"intervention_status": "done"}),
]
# Only the owning CSM, leads and admins may write.
WRITE_STATUS = {"csm": 302, "lead": 302, "agent_user": 403, "admin_user": 302, "outsider": 403}


@pytest.fixture(autouse=True)
def _fresh_dashboard_cache():
    """The dashboard caches its heavy aggregates; each test starts cold."""
    cache.clear()


@pytest.fixture
def users(csm, lead, agent_user, admin_user, outsider):
    return {
        "csm": csm,
        "lead": lead,
        "agent_user": agent_user,
        "admin_user": admin_user,
        "outsider": outsider,
        "anonymous": None,
    }


@pytest.fixture
def account(csm):
    return make_scored_account("Globex", risk=90, csm=csm)


def login(client, users, role):
    if users[role] is not None:
        client.force_login(users[role])


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("path", "expected"), GET_PAGES, ids=[p for p, _ in GET_PAGES])
def test_it_answers_each_page_per_role(client, users, account, role, path, expected):
    login(client, users, role)
    response = client.get(path.format(id=account.pk))
    if role == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith("/login/")
    else:
        assert response.status_code == expected[role]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("path", "data"), WRITES, ids=[p for p, _ in WRITES])
def test_it_lets_only_the_owner_leads_and_admins_write(client, users, account, role, path, data):
    login(client, users, role)
    response = client.post(path.format(id=account.pk), data)
    if role == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith("/login/")
    else:
        assert response.status_code == WRITE_STATUS[role]


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "data"), WRITES, ids=[p for p, _ in WRITES])
def test_it_requires_post_for_writes(client, csm, account, path, data):
    client.force_login(csm)
    assert client.get(path.format(id=account.pk)).status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/accounts/999999/",
        "/accounts/99999999999999999999999/",
        "/accounts/0/",
    ],
)
def test_it_answers_404_for_a_missing_account(client, csm, path):
    client.force_login(csm)
    assert client.get(path).status_code == 404
    assert client.post(path + "notes/", {"body": "x"}).status_code == 404
    assert client.post(path + "flag/", {"verdict": "accurate"}).status_code == 404


@pytest.mark.django_db
def test_it_does_not_route_non_numeric_ids(client, csm):
    client.force_login(csm)
    assert client.get("/accounts/abc/").status_code == 404
    assert client.get("/accounts/1;DROP/").status_code == 404


@pytest.mark.django_db
def test_it_forbids_another_csm_to_add_notes_or_flags(client, outsider, account):
    client.force_login(outsider)
    assert client.post(f"/accounts/{account.pk}/notes/", {"body": "x"}).status_code == 403
    assert (
        client.post(
            f"/accounts/{account.pk}/flag/", {"verdict": "false_positive"}, HTTP_HX_REQUEST="true"
        ).status_code
        == 403
    )
    assert not CsmNote.objects.exists() and not RiskFlagFeedback.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "sort=csm__password",
        "sort=-id",
        "filter=owner__password__startswith=x",
        "csm__password__startswith=p",
        "tier=1;DROP TABLE accounts_account",
        "tier=1%27%20OR%201=1",
        "level=critical'--",
        "renewal=30;DROP",
        "quarter=2026Q4';--",
        "csm=1 OR 1=1",
        "after=1~1%27%20OR%201=1",
        "after=%00~%00",
        "mine=<script>",
    ],
)
def test_it_ignores_parameters_outside_the_whitelist(client, csm, outsider, query):
    make_scored_account("Mine", risk=10, csm=csm)
    make_scored_account("Theirs", risk=90, csm=outsider)
    client.force_login(csm)
    response = client.get(f"/accounts/at-risk/?{query}")
    assert response.status_code == 200
    rows = [a.name for a in response.context["page"].rows]
    assert rows in (["Theirs", "Mine"], ["Mine"], [])
    # Nothing from the user table leaks (the test hasher's hashes start with "md5$").
    assert "md5$" not in response.content.decode()


@pytest.mark.django_db
def test_it_escapes_hostile_names_notes_and_links(client, csm):
    account = make_scored_account(
        "<script>alert('acct')</script>",
        csm=csm,
        executive_sponsor='<img src=x onerror="alert(1)">',
        plan="<b>bold</b>",
        risk=90,
        factors=[{"name": "<i>factor</i>", "points": 30, "reason": "<script>alert(2)</script>"}],
    )
    make_contact(account, "<script>alert('contact')</script>", title="<b>CEO</b>")
    CsmNote.objects.create(
        account=account,
        author=csm,
        body='<a href="javascript:alert(3)">click</a><script>x</script>',
    )
    client.force_login(csm)
    for path in (f"/accounts/{account.pk}/", "/accounts/at-risk/", "/dashboard/"):
        html = client.get(path).content.decode()
        assert "<script>alert" not in html, path
        assert "<img src=x" not in html and "<i>factor</i>" not in html
        assert "&lt;script&gt;alert(&#x27;acct&#x27;)&lt;/script&gt;" in html
    html = client.get(f"/accounts/{account.pk}/").content.decode()
    assert 'href="javascript:' not in html
    assert "&lt;a href=&quot;javascript:alert(3)&quot;&gt;click&lt;/a&gt;" in html
    assert "<b>bold</b>" not in html and "<b>CEO</b>" not in html


@pytest.mark.django_db
def test_it_sends_a_strict_content_security_policy(client, csm, account):
    client.force_login(csm)
    response = client.get(f"/accounts/{account.pk}/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "<script>" not in response.content.decode()  # no inline scripts, only json_script
