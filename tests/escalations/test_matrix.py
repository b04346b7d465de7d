"""Matrix levels: roles to people, manual level-ups, automatic ones once per breach."""

from datetime import UTC, datetime, timedelta

import pytest

from escalations import matrix
from escalations.actions import Refused, raise_level
from escalations.jobs import raise_on_breaches, run_playbook
from escalations.models import PlaybookPolicy, RoleHolder
from tests.factories import make_escalation, make_user
from vipdesk.alerts.models import Alert

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
H = timedelta(hours=1)


def test_it_reads_the_admins_owner_names():
    assert matrix.parse_owners("CSM + Manager") == ["csm", "cs_manager"]
    assert matrix.parse_owners("VP CS  +  vp eng") == ["vp_cs", "vp_eng"]
    with pytest.raises(ValueError, match="“Intern” is not a role"):
        matrix.parse_owners("CSM + Intern")


def test_it_resolves_roles_to_the_accounts_csm_and_mapped_people():
    holders = {"cs_manager": [7], "vp_cs": [8, 9]}
    assert matrix.people(["csm", "cs_manager"], 3, holders) == [3, 7]
    assert matrix.people(["vp_cs", "cto"], 3, holders) == [8, 9]


def test_a_manual_level_up_needs_a_reason_and_a_level_above():
    path = {0: "CSM", 1: "CS Manager", 2: "VP CS"}
    assert matrix.level_up_refusal("ESC-0001", 0, path, " ") == (
        "Say why it moves up: the new level reads it."
    )
    assert matrix.level_up_refusal("ESC-0001", 2, path, "help") == (
        "ESC-0001 is already at the final level of its matrix (2: VP CS)."
    )
    assert matrix.level_up_refusal("ESC-0001", 1, path, "help") == ""


def test_an_imminent_breach_counts_once():
    due = NOW + timedelta(minutes=30)
    breach = matrix.imminent_breach(due, False, NOW + 9 * H, None, None, H, NOW)
    assert breach == matrix.Breach("response", due)
    assert matrix.imminent_breach(due, False, NOW + 9 * H, due, None, H, NOW) is None
    assert matrix.imminent_breach(due, True, NOW + 9 * H, None, None, H, NOW) is None
    assert matrix.imminent_breach(NOW + 2 * H, False, NOW + 9 * H, None, None, H, NOW) is None
    past = matrix.imminent_breach(None, True, NOW - H, None, None, H, NOW)
    assert past == matrix.Breach("resolution", NOW - H)


@pytest.fixture
def vp_cs(db):
    user = make_user("vp-cs")
    RoleHolder.objects.create(role="vp_cs", user=user)
    return user


@pytest.fixture
def manager(db):
    user = make_user("cs-manager")
    RoleHolder.objects.create(role="cs_manager", user=user)
    return user


@pytest.mark.django_db
def test_moving_up_records_who_and_why_and_notifies_the_new_level(account, csm, manager):
    e = make_escalation(account, severity="high")
    raise_level(e, by=csm, reason="Customer threatens to cancel", now=NOW)
    e.refresh_from_db()
    assert e.level == 1
    event = e.events.get()
    assert (event.kind, event.actor, event.from_value, event.to_value) == ("level", csm, "0", "1")
    assert event.text.endswith("to level 1 (CS Manager) by Csm: Customer threatens to cancel")
    alert = Alert.objects.get()
    assert (alert.user, alert.kind, alert.link) == (manager, "escalation", f"/escalations/{e.pk}/")


@pytest.mark.django_db
def test_moving_up_is_refused_at_the_top_and_changes_nothing(account, csm):
    e = make_escalation(account, severity="low")
    with pytest.raises(Refused, match="already at the final level"):
        raise_level(e, by=csm, reason="help", now=NOW)
    e.refresh_from_db()
    assert e.level == 0 and not e.events.exists()


@pytest.mark.django_db
def test_a_stale_level_up_loses(account, csm, manager):
    e = make_escalation(account, severity="high")
    stale = type(e).objects.get(pk=e.pk)
    raise_level(e, by=csm, reason="first", now=NOW)
    with pytest.raises(Refused, match="changed meanwhile"):
        raise_level(stale, by=csm, reason="second", now=NOW)
    assert e.events.count() == 1


@pytest.mark.django_db
def test_an_imminent_breach_moves_it_up_once_per_breach(account, manager, vp_cs):
    # High: response 4 h. Opened 3 h 10 min ago: due in 50 min (< 1 h warning).
    e = make_escalation(account, severity="high", opened_at=NOW - 3 * H - timedelta(minutes=10))
    assert raise_on_breaches(PlaybookPolicy.load(), NOW) == 1
    assert raise_on_breaches(PlaybookPolicy.load(), NOW + timedelta(minutes=5)) == 0
    e.refresh_from_db()
    assert e.level == 1
    event = e.events.get()
    assert event.actor is None
    assert (
        event.text
        == "Moved up to level 1 (CS Manager) automatically: the response SLA is due at 12:50 UTC."
    )
    assert list(Alert.objects.values_list("user__username", flat=True)) == ["cs-manager"]
    # The response breach happens: still the same breach, no second level-up.
    assert raise_on_breaches(PlaybookPolicy.load(), NOW + 2 * H) == 0
    # Resolution (48 h) is another breach: one more level.
    assert raise_on_breaches(PlaybookPolicy.load(), NOW + 44 * H) == 1
    e.refresh_from_db()
    assert e.level == 2
    assert "resolution SLA" in e.events.last().text


@pytest.mark.django_db
def test_the_warning_window_is_the_admins(account):
    e = make_escalation(account, severity="high", opened_at=NOW - 2 * H)
    PlaybookPolicy.objects.update(breach_warning_minutes=150)
    assert run_playbook(NOW)["raised"] == 1
    e.refresh_from_db()
    assert e.level == 1


@pytest.mark.django_db
def test_an_acknowledged_escalation_moves_up_only_for_resolution(account):
    e = make_escalation(account, severity="high", status="acknowledged",
                        opened_at=NOW - 5 * H, acknowledged_at=NOW - 4 * H)  # fmt: skip
    assert raise_on_breaches(PlaybookPolicy.load(), NOW) == 0
    e.refresh_from_db()
    assert e.level == 0


@pytest.mark.django_db
def test_at_the_final_level_a_breach_is_told_not_moved(account):
    e = make_escalation(account, severity="low", opened_at=NOW - 30 * H)
    assert raise_on_breaches(PlaybookPolicy.load(), NOW) == 1
    e.refresh_from_db()
    assert e.level == 0
    assert "already at the final level (CSM)" in e.events.get().text
    assert raise_on_breaches(PlaybookPolicy.load(), NOW) == 0
