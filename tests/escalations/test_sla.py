"""escalations/sla.py: due times and breaches, wall-clock, no database."""

from datetime import UTC, datetime, timedelta
from typing import NamedTuple

import pytest

from escalations.models import SeverityPolicy
from escalations.sla import clock_state, due_times

OPENED = datetime(2026, 3, 6, 17, 0, tzinfo=UTC)  # a Friday evening: the clock never pauses
H = timedelta(hours=1)


class Policy(NamedTuple):
    response_minutes: int
    resolution_minutes: int


# SPEC defaults: Critical 1 h / 24 h; High 4 h / 48 h; Medium 8 h / 5 days; Low 24 h / 10 days.
DEFAULTS = {
    "critical": (1 * H, 24 * H),
    "high": (4 * H, 48 * H),
    "medium": (8 * H, 5 * 24 * H),
    "low": (24 * H, 10 * 24 * H),
}


def policy_for(severity: str) -> Policy:
    response, resolution = DEFAULTS[severity]
    return Policy(response // timedelta(minutes=1), resolution // timedelta(minutes=1))


@pytest.mark.parametrize("severity", DEFAULTS)
def test_it_computes_each_severity_default_in_wall_clock_time(severity):
    response, resolution = DEFAULTS[severity]
    times = due_times(OPENED, None, None, policy_for(severity), OPENED)
    assert times == (OPENED + response, OPENED + resolution, False, False)


@pytest.mark.django_db
@pytest.mark.parametrize("severity", DEFAULTS)
def test_it_matches_the_default_policies_a_fresh_install_loads(severity):
    policy = SeverityPolicy.objects.get(severity=severity)
    assert (policy.response_minutes, policy.resolution_minutes) == policy_for(severity)


def test_it_breaches_the_response_once_the_due_time_passes_unacknowledged():
    policy = policy_for("critical")
    assert due_times(OPENED, None, None, policy, OPENED + H).response_breached is False
    later = due_times(OPENED, None, None, policy, OPENED + H + timedelta(seconds=1))
    assert later.response_breached is True
    assert later.resolution_breached is False


def test_it_breaches_the_resolution_while_still_open_after_the_due_time():
    times = due_times(
        OPENED, OPENED + timedelta(minutes=5), None, policy_for("critical"), OPENED + 25 * H
    )
    assert times.response_breached is False
    assert times.resolution_breached is True


def test_it_judges_the_response_by_when_it_was_acknowledged():
    policy = policy_for("high")
    in_time = due_times(OPENED, OPENED + 3 * H, None, policy, OPENED + 10 * H)
    late = due_times(OPENED, OPENED + 5 * H, None, policy, OPENED + 10 * H)
    assert in_time.response_breached is False
    assert late.response_breached is True


def test_it_never_reports_a_closed_in_time_escalation_breached_later():
    times = due_times(
        OPENED,
        OPENED + timedelta(minutes=10),
        OPENED + 2 * H,
        policy_for("critical"),
        OPENED + 365 * 24 * H,
    )
    assert times.response_breached is False
    assert times.resolution_breached is False


def test_it_keeps_a_late_closure_breached():
    times = due_times(
        OPENED,
        OPENED + timedelta(minutes=30),
        OPENED + 30 * H,
        policy_for("critical"),
        OPENED + 31 * H,
    )
    assert times.resolution_breached is True


def test_it_stops_the_response_clock_at_closing_when_never_acknowledged():
    policy = policy_for("critical")
    assert (
        due_times(
            OPENED, None, OPENED + timedelta(minutes=30), policy, OPENED + 99 * H
        ).response_breached
        is False
    )
    assert (
        due_times(OPENED, None, OPENED + 2 * H, policy, OPENED + 99 * H).response_breached is True
    )


def test_it_gives_no_due_times_without_a_policy():
    assert due_times(OPENED, None, None, None, OPENED + 999 * H) == (None, None, False, False)


def test_it_shows_a_running_clock_amber_within_an_hour_of_the_due_time():
    due = OPENED + 4 * H
    assert clock_state(due, None, False, due - 2 * H) == "ok"
    assert clock_state(due, None, False, due - timedelta(minutes=59)) == "warning"
    assert clock_state(due, None, True, due + H) == "breached"


def test_it_shows_a_stopped_clock_as_met_or_breached():
    due = OPENED + 4 * H
    assert clock_state(due, OPENED + H, False, due + 99 * H) == "met"
    assert clock_state(due, due + H, True, due + 99 * H) == "breached"
    assert clock_state(None, None, False, due) == "none"
