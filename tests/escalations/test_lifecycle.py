"""The lifecycle rules (pure) and transitions (conditional UPDATE + event)."""

from datetime import UTC, datetime, timedelta

import pytest

from escalations import lifecycle
from escalations.actions import Refused, transition
from escalations.models import Escalation, PostMortem
from tests.factories import make_escalation

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


def esc(status="open", severity="high", **kw) -> Escalation:
    return Escalation(pk=42, status=status, severity=severity, opened_at=NOW, **kw)


@pytest.mark.parametrize(
    "status,to,result",
    [
        ("open", "acknowledged", "acknowledged"),
        ("acknowledged", "in_progress", "in_progress"),
        ("in_progress", "resolved", "resolved"),
        ("open", "resolved", "resolved"),
        ("resolved", "reopened", "open"),
        ("closed", "reopened", "open"),
    ],
)
def test_it_allows_the_lifecycle_moves(status, to, result):
    move = lifecycle.decide(esc(status, closed_at=NOW), to, NOW, reopen_days=90)
    assert move.allowed and move.status == result


@pytest.mark.parametrize(
    "status,to,reason",
    [
        ("acknowledged", "acknowledged", "ESC-0042 is already acknowledged."),
        ("closed", "closed", "ESC-0042 is already closed."),
        (
            "in_progress",
            "acknowledged",
            "ESC-0042 is in progress: it cannot go back to acknowledged.",
        ),
        ("closed", "resolved", "ESC-0042 is closed: re-open it before you resolve it."),
        ("open", "reopened", "ESC-0042 is open: only a resolved or closed one re-opens."),
        ("open", "flying", "“flying” is not a step of the lifecycle."),
    ],
)
def test_it_refuses_other_moves_saying_why(status, to, reason):
    move = lifecycle.decide(esc(status), to, NOW, reopen_days=90)
    assert not move.allowed and move.reason == reason


def test_it_reopens_within_the_policy_days_of_closing_only():
    closed = esc("closed", closed_at=NOW - timedelta(days=90))
    assert lifecycle.decide(closed, "reopened", NOW, reopen_days=90).allowed
    late = lifecycle.decide(closed, "reopened", NOW + timedelta(days=1), reopen_days=90)
    assert late.reason == (
        "ESC-0042 closed 91 days ago; an escalation can be re-opened within 90 days of "
        "closing. Open a new one instead."
    )
    assert lifecycle.decide(closed, "reopened", NOW + timedelta(days=1), reopen_days=120).allowed


def test_it_counts_the_re_open_window_from_a_resolution_when_not_closed():
    resolved = esc("resolved", resolved_at=NOW - timedelta(days=100))
    assert not lifecycle.decide(resolved, "reopened", NOW, reopen_days=90).allowed


def test_closing_needs_a_complete_post_mortem_where_required():
    closing = lifecycle.Closing(post_mortem_required=True, post_mortem_status="draft", reason="x")
    move = lifecycle.decide(esc("resolved", severity="critical"), "closed", NOW, reopen_days=90,
                            closing=closing)  # fmt: skip
    assert (
        move.reason
        == "A Critical escalation cannot close without a complete post-mortem (it is draft)."
    )
    done = lifecycle.Closing(post_mortem_required=True, post_mortem_status="complete", reason="x")
    assert lifecycle.decide(esc("resolved"), "closed", NOW, reopen_days=90, closing=done).allowed


def test_closing_needs_the_customers_confirmation_or_a_reason():
    move = lifecycle.decide(esc("resolved"), "closed", NOW, reopen_days=90)
    assert (
        move.reason
        == "Closing needs the customer's confirmation or a reason for closing without it."
    )
    for closing in (lifecycle.Closing(customer_confirmed=True), lifecycle.Closing(reason="Gone")):
        assert lifecycle.decide(
            esc("resolved"), "closed", NOW, reopen_days=90, closing=closing
        ).allowed


@pytest.mark.parametrize(
    "text,expected",
    [
        ("$19 charge we do not recognise", "commercial"),
        ("Our INVOICES are wrong", "commercial"),
        ("Refund please", "commercial"),
        ("The pricing page is down", "technical"),  # "price" is a word, not a prefix
        ("Contract renewal question", "commercial"),
        ("CSV import rejects rows", "technical"),
    ],
)
def test_it_types_automatic_escalations_from_the_ticket(text, expected):
    words = lifecycle.split_words("billing, invoice, charge, refund, contract, price")
    assert lifecycle.classify(text, words)[0] == expected


def test_the_type_words_are_the_admins():
    assert lifecycle.classify("The pricing page is down", ["pricing"])[0] == "commercial"


# -- transitions in the database ------------------------------------------------------


@pytest.mark.django_db
def test_a_transition_writes_status_timestamps_and_its_event(account, lead):
    e = make_escalation(account, severity="medium")
    transition(e, "in_progress", by=lead, now=NOW)
    e.refresh_from_db()
    assert (e.status, e.acknowledged_at) == ("in_progress", NOW)
    event = e.events.get()
    assert (event.kind, event.actor, event.from_value, event.to_value, event.at) == (
        "status",
        lead,
        "open",
        "in_progress",
        NOW,
    )


@pytest.mark.django_db
def test_a_refused_transition_changes_nothing(account, lead):
    e = make_escalation(account, severity="critical", status="resolved", resolved_at=NOW)
    PostMortem.objects.create(escalation=e, status="draft")
    with pytest.raises(Refused, match="without a complete post-mortem"):
        transition(e, "closed", by=lead, confirmed=True, now=NOW)
    e.refresh_from_db()
    assert (e.status, e.closed_at, e.customer_confirmed) == ("resolved", None, False)
    assert not e.events.exists()


@pytest.mark.django_db
def test_reopening_clears_the_resolution_and_counts_it(account, lead):
    e = make_escalation(account, severity="low", status="resolved", resolved_at=NOW)
    transition(e, "closed", by=lead, note="Customer went quiet", now=NOW)
    later = NOW + timedelta(days=3)
    e = transition(e, "reopened", by=lead, note="It broke again", now=later)
    assert (e.status, e.reopened_at, e.resolved_at, e.closed_at, e.reopen_count) == (
        "open",
        later,
        None,
        None,
        1,
    )
    assert e.close_reason == ""
    assert [ev.kind for ev in e.events.all()] == ["status", "reopened"]
    assert "re-escalation 1" in e.events.last().text
    transition(e, "resolved", by=lead, now=later)
    transition(e, "closed", by=lead, confirmed=True, now=later)
    e = transition(e, "reopened", by=lead, now=later + timedelta(hours=1))
    assert e.reopen_count == 2


@pytest.mark.django_db
def test_closing_records_the_confirmation_or_the_reason(account, lead):
    e = make_escalation(account, severity="low")
    e = transition(e, "closed", by=lead, note="Customer unreachable for 2 weeks", now=NOW)
    assert (e.customer_confirmed, e.close_reason) == (False, "Customer unreachable for 2 weeks")
    assert "without the customer's confirmation" in e.events.get().text
