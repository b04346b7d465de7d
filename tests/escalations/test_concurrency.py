"""Two people clicking at once: exactly one transition (and one event) wins."""

import threading

import pytest
from django.db import connection

from escalations.actions import Refused, transition
from escalations.models import Escalation, EscalationEvent
from tests.factories import make_account, make_escalation, make_user


def race(escalation_id: int, to: str, n: int = 4) -> list[str]:
    barrier = threading.Barrier(n)
    outcomes: list[str] = []

    def click():
        try:
            barrier.wait()
            transition(Escalation.objects.get(pk=escalation_id), to, note="done", confirmed=True)
            outcomes.append("won")
        except Refused as refused:
            outcomes.append(str(refused))
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("to", ["acknowledged", "closed"])
def test_only_one_of_concurrent_clicks_wins(to):
    e = make_escalation(make_account(csm=make_user()), severity="low")
    outcomes = race(e.pk, to)
    assert outcomes.count("won") == 1
    assert len(outcomes) == 4
    assert EscalationEvent.objects.filter(escalation=e).count() == 1
    e.refresh_from_db()
    assert e.status == to
