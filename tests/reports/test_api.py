"""GET /api/v1/reports/escalations and .csv: the integration contract."""

import csv
import io

import pytest
import time_machine

from tests.factories import make_account, make_escalation
from tests.reports.history import NOW, build
from tickets.models import ApiToken

PERIOD = "from=2026-11-01&to=2026-12-01"


@pytest.fixture
def auth(db):
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue('reports')[1]}"}


@pytest.fixture
def history(db):
    return build()


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def test_it_answers_the_contract_fields(client, auth, history):
    response = client.get(f"/api/v1/reports/escalations?{PERIOD}", **auth)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "count",
        "open",
        "first_response_hours",
        "mttr_hours",
        "sla_compliance",
        "per_100_accounts",
        "reescalation_rate",
        "csat",
        "targets",
    }
    assert body["count"] == 6 and body["open"] == 3
    assert body["mttr_hours"] == pytest.approx(106 / 3)
    assert body["sla_compliance"] == pytest.approx(0.4)
    assert body["targets"]["mttr_hours"] == 24


def test_it_filters_like_the_page(client, auth, history):
    tier1 = client.get(f"/api/v1/reports/escalations?{PERIOD}&tier=1", **auth).json()
    assert tier1["count"] == 3
    standard = client.get(f"/api/v1/reports/escalations?{PERIOD}&tier=standard", **auth).json()
    assert standard["count"] == 1 and standard["csat"] is None
    high = client.get(f"/api/v1/reports/escalations?{PERIOD}&severity=high&type=technical", **auth)
    assert high.json()["count"] == 2


def test_an_empty_period_answers_nulls(client, auth, history):
    body = client.get("/api/v1/reports/escalations?from=2026-06-01&to=2026-07-01", **auth).json()
    assert body["count"] == 0 and body["mttr_hours"] is None and body["csat"] is None


@pytest.mark.parametrize(
    "query",
    [
        "to=2026-12-01",
        "from=2026-11-01",
        "from=2026-11-31&to=2026-12-01",
        "from=2026-12-01&to=2026-11-01",
        f"{PERIOD}&tier=4",
        f"{PERIOD}&type=billing",
        f"{PERIOD}&severity=urgent",
    ],
)
def test_bad_dates_or_filters_answer_400_json(client, auth, query):
    for path in ("/api/v1/reports/escalations", "/api/v1/reports/escalations.csv"):
        response = client.get(f"{path}?{query}", **auth)
        assert response.status_code == 400, (path, query)
        assert response["Content-Type"] == "application/json"
        assert response.json()["error"]


def test_it_needs_a_bearer_token(client, db):
    assert client.get(f"/api/v1/reports/escalations?{PERIOD}").status_code == 401
    assert client.get(f"/api/v1/reports/escalations.csv?{PERIOD}").status_code == 401
    wrong = {"HTTP_AUTHORIZATION": "Bearer nope"}
    assert client.get(f"/api/v1/reports/escalations?{PERIOD}", **wrong).status_code == 401


def read_csv(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body, newline="")))


def test_the_csv_streams_the_escalations_behind_the_figures(client, auth, history):
    response = client.get(f"/api/v1/reports/escalations.csv?{PERIOD}&tier=1", **auth)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = read_csv(response)
    assert list(rows[0]) == [
        "code",
        "account",
        "tier",
        "type",
        "severity",
        "status",
        "opened_at",
        "acknowledged_at",
        "resolved_at",
        "closed_at",
        "reopen_count",
        "csat",
        "summary",
    ]
    assert [r["code"] for r in rows] == [history[k].code for k in ("e1", "e2", "e9")]
    e2 = rows[1]
    assert e2["tier"] == "1" and e2["reopen_count"] == "2" and e2["csat"] == "3"
    assert e2["opened_at"] == "2026-11-03T00:00:00+00:00" and rows[2]["resolved_at"] == ""


def test_the_csv_is_safe_against_formula_injection(client, auth, db):
    account = make_account("+Evil Corp", arr=1000)
    make_escalation(account, summary='=HYPERLINK("http://x.example","hi")', opened_at=NOW)
    rows = read_csv(client.get(f"/api/v1/reports/escalations.csv?{PERIOD}", **auth))
    assert rows[0]["account"] == "'+Evil Corp"
    assert rows[0]["summary"].startswith("'=HYPERLINK")
    assert rows[0]["tier"] == "standard" and rows[0]["reopen_count"] == "0"


def test_it_is_in_the_openapi_schema(client, auth):
    paths = client.get("/api/v1/openapi.json", **auth).json()["paths"]
    assert "/api/v1/reports/escalations" in paths
    assert "/api/v1/reports/escalations.csv" in paths
