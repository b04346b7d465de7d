"""schemathesis against the live OpenAPI schema, with a token: whatever it generates,
the API never answers 5xx nor a status its schema does not document. Bounded: a few
dozen examples per operation, no per-example deadline."""

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error, status_code_conformance

from tests.factories import make_account
from tickets.models import ApiToken


@pytest.fixture
def token(transactional_db):
    make_account("Acme", arr=380_000, domain="acme.example")
    return ApiToken.issue("schemathesis")[1]


FUZZ = settings(
    max_examples=30,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def test_the_api_never_answers_a_server_error_or_an_undocumented_status(live_server, token):
    auth = {"Authorization": f"Bearer {token}"}
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/openapi.json", headers=auth)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 4
    for operation in operations:

        @FUZZ
        @given(case=operation.as_strategy())
        def fuzz(case):
            case.call_and_validate(
                headers=auth, checks=[not_a_server_error, status_code_conformance]
            )

        fuzz()
