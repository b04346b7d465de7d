from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import make_account, make_agent, make_pool, make_user
from tests.tickets.conftest import make_vip_ticket
from tickets.actions import assign_ticket, log_reassignment
from tickets.models import Agent, AgentPool, PtoPeriod, Reassignment
from tickets.staffing.pools import (
    ForecastRow,
    MemberLoad,
    Requirement,
    forecast_breaches,
    months_between,
    refresh_figures,
)
from tickets.staffing.views import agent_options

NOW = datetime(2026, 1, 14, 10, 0, tzinfo=UTC)
TODAY = NOW.date()
MID_MONTH = datetime(2026, 12, 15, 12, 0, tzinfo=UTC)


def member(pk, *, level=3, on_shift=True, pto=(), open_total=0, open_vip=0, cap=40, tenure=400):
    agent = SimpleNamespace(
        pk=pk,
        level=level,
        on_shift=on_shift,
        tenure_start=TODAY - timedelta(days=tenure),
    )
    m = MemberLoad(
        agent=agent,
        open_total=open_total,
        open_vip=open_vip,
        pto=list(pto),
        cap_pct=cap,
        today=TODAY,
    )
    return m


def ticket(pk, minutes, agent=None):
    return SimpleNamespace(
        pk=pk, sla_first_response_due=NOW + timedelta(minutes=minutes), assigned_agent_id=agent
    )


def test_it_counts_whole_months_of_tenure():
    assert months_between(date(2025, 7, 15), date(2026, 1, 14)) == 5
    assert months_between(date(2025, 7, 14), date(2026, 1, 14)) == 6
    assert months_between(date(2027, 1, 1), date(2026, 1, 14)) == 0


def test_it_flags_burnout_above_the_vip_share_cap():
    assert member(1, open_total=10, open_vip=5, cap=40).burnout_risk
    assert not member(1, open_total=10, open_vip=4, cap=40).burnout_risk
    assert not member(1, open_total=10, open_vip=5, cap=60).burnout_risk
    assert member(1).vip_share_pct is None and not member(1).burnout_risk


def test_it_knows_who_is_on_pto_today():
    away = member(1, pto=[SimpleNamespace(starts=TODAY, ends=TODAY + timedelta(days=2))])
    later = member(2, pto=[SimpleNamespace(starts=TODAY + timedelta(days=1), ends=TODAY)])
    assert not away.available and away.on_pto_today
    assert later.available
    assert not member(3, on_shift=False).available


def test_it_forecasts_an_agents_queue_in_sla_order():
    a = member(1)
    rows = forecast_breaches(
        [ticket(12, 25, agent=1), ticket(11, 5, agent=1), ticket(13, 29, agent=1)],
        [a],
        lambda m: True,
        timedelta(minutes=15),
        NOW,
    )
    assert [r.ticket.pk for r in rows] == [11, 12, 13]
    assert [r.start - NOW for r in rows] == [
        timedelta(0),
        timedelta(minutes=15),
        timedelta(minutes=30),
    ]
    assert [r.at_risk for r in rows] == [False, False, True]
    assert rows[2].suggestion is None  # nobody else


def test_it_suggests_the_least_loaded_eligible_available_member():
    busy = member(1, open_total=5)
    junior = member(2, level=1)
    away = member(3, on_shift=False)
    idle = member(4, open_total=1)
    also_idle = member(5, open_total=3)
    tickets = [ticket(21, 10, agent=1), ticket(22, 12, agent=1)]
    rows = forecast_breaches(
        tickets,
        [busy, junior, away, idle, also_idle],
        Requirement(min_level=3).allows,
        timedelta(minutes=15),
        NOW,
    )
    late = [r for r in rows if r.at_risk]
    assert [r.ticket.pk for r in late] == [22]
    assert late[0].suggestion is idle and late[0].suggestion_in_time


def test_it_marks_tickets_of_away_agents_at_risk():
    away = member(1, pto=[SimpleNamespace(starts=TODAY, ends=TODAY)])
    cover = member(2)
    rows = forecast_breaches(
        [ticket(31, 120, agent=1)], [away, cover], lambda m: True, timedelta(minutes=15), NOW
    )
    assert rows[0].at_risk and "on PTO" in rows[0].reason
    assert rows[0].suggestion is cover


def test_it_hands_unassigned_tickets_to_whoever_is_free_first():
    a, b = member(1), member(2)
    rows = forecast_breaches(
        [ticket(41, 5), ticket(42, 6), ticket(43, 7)],
        [a, b],
        lambda m: True,
        timedelta(minutes=10),
        NOW,
    )
    assert [r.start - NOW for r in rows] == [timedelta(0), timedelta(0), timedelta(minutes=10)]
    assert rows[2].at_risk


def test_it_spreads_suggestions_over_members():
    a = member(1)
    b, c = member(2), member(3)
    tickets = [ticket(50 + i, 1, agent=1) for i in range(3)]
    rows = forecast_breaches(tickets, [a, b, c], lambda m: True, timedelta(minutes=15), NOW)
    suggested = [r.suggestion.agent.pk for r in rows if r.at_risk]
    assert suggested == [2, 3]


def forecast_by_rescanning(tickets, members, eligible, handling, now):
    """The forecast as it was first written: a scan of every member for every pick
    (O(tickets × members)). forecast_breaches must give the very same rows."""
    by_id = {m.agent.pk: m for m in members}
    free_at = {m.agent.pk: now for m in members if m.available}
    last = datetime.max.replace(tzinfo=now.tzinfo)
    tickets = sorted(tickets, key=lambda t: (t.sla_first_response_due or last, t.pk))
    rows = []
    for t in tickets:
        due = t.sla_first_response_due
        member = by_id.get(t.assigned_agent_id)
        if member is not None and not member.available:
            away = "on PTO" if member.on_pto_today else "off shift"
            rows.append(ForecastRow(t, due, member, None, True, f"{member.name} is {away}"))
            continue
        if member is None:
            candidates = [m for m in members if m.available and eligible(m)]
            if t.assigned_agent_id is None and candidates:
                member = min(candidates, key=lambda m: (free_at[m.agent.pk], m.open_total))
                reason = f"unassigned: next free is {member.name}"
            else:
                why = (
                    "no eligible member available"
                    if t.assigned_agent_id is None
                    else "assigned outside this pool"
                )
                rows.append(ForecastRow(t, due, None, None, t.assigned_agent_id is None, why))
                continue
        else:
            reason = f"in {member.name}'s queue"
        start = free_at[member.agent.pk]
        free_at[member.agent.pk] = start + handling
        rows.append(ForecastRow(t, due, member, start, due is not None and start > due, reason))
    for row in rows:
        if not row.at_risk:
            continue
        current = row.agent.agent.pk if row.agent else None
        options = [m for m in members if m.available and eligible(m) and m.agent.pk != current]
        if options:
            best = min(options, key=lambda m: (free_at[m.agent.pk], m.open_total, m.name))
            row.suggestion = best
            row.suggestion_start = free_at[best.agent.pk]
            free_at[best.agent.pk] += handling
    return rows


def outcome(rows):
    def pk(m):
        return m.agent.pk if m else None

    return [
        (
            r.ticket.pk,
            pk(r.agent),
            r.start,
            r.at_risk,
            r.reason,
            pk(r.suggestion),
            r.suggestion_start,
        )
        for r in rows
    ]


class NamedAgent(SimpleNamespace):
    def __str__(self) -> str:
        return self.label


def named(pk, name, **kw):
    m = member(pk, **kw)
    m.agent = NamedAgent(**vars(m.agent), label=name)
    return m


def test_it_forecasts_as_the_member_scan_did_on_a_hand_made_pool():
    pto = [SimpleNamespace(starts=TODAY, ends=TODAY)]
    members = [
        named(1, "Ann", open_total=2),
        named(2, "Bob", open_total=2),  # ties with Ann: members' order decides
        named(3, "Cat", level=1),  # not eligible
        named(4, "Dan", pto=pto),  # away: his tickets are at risk
        named(5, "Eve", on_shift=False),
        named(6, "Ann", open_total=0),  # same name as 1: load decides
        named(7, "Fay", open_total=2),
        named(8, "Abe", open_total=2),  # ties with Ann and Bob but for the name
    ]
    tickets = [
        ticket(101, 3, agent=1),
        ticket(102, 3, agent=1),
        ticket(103, 3, agent=1),
        ticket(104, 5),
        ticket(105, 5),
        ticket(106, 5),
        ticket(107, 8, agent=4),
        ticket(108, 8, agent=5),
        ticket(109, 9, agent=99),  # assigned outside the pool
        ticket(110, 1, agent=3),  # in an ineligible member's own queue
        ticket(111, 20),
        ticket(112, 2, agent=6),
        SimpleNamespace(pk=113, sla_first_response_due=None, assigned_agent_id=None),
    ] + [ticket(200 + i, 10 + i % 4) for i in range(25)]
    args = (Requirement(min_level=2).allows, timedelta(minutes=7), NOW)
    expected = outcome(forecast_by_rescanning(tickets, members, *args))
    assert outcome(forecast_breaches(tickets, members, *args)) == expected
    assert sum(1 for row in expected if row[3]) > 10 and any(row[5] for row in expected)


def test_it_forecasts_as_the_member_scan_did_on_random_pools():
    import random

    rng = random.Random(17)
    for _ in range(40):
        members = [
            named(
                pk,
                rng.choice(["Ann", "Bob", "Cat"]),
                level=rng.choice([1, 2, 3]),
                on_shift=rng.random() > 0.1,
                open_total=rng.randint(0, 3),
            )
            for pk in range(1, rng.randint(1, 12))
        ]
        tickets = [
            ticket(
                pk,
                rng.randint(-5, 90),
                agent=rng.choice([None, None, 99, *(m.agent.pk for m in members)]),
            )
            for pk in range(rng.randint(0, 80))
        ]
        handling = timedelta(minutes=rng.choice([0, 5, 15]))
        args = (Requirement(min_level=rng.choice([1, 2, 3])).allows, handling, NOW)
        expected = outcome(forecast_by_rescanning(tickets, members, *args))
        assert outcome(forecast_breaches(tickets, members, *args)) == expected


# The page ------------------------------------------------------------------------

pytestmark = pytest.mark.django_db


def test_it_shows_pools_members_load_and_forecast(client, lead):
    sarah = make_agent(make_user("sarah", first_name="Sarah", last_name="M"), level=3)
    tom = make_agent(make_user("tom", first_name="Tom", last_name="R"), level=3)
    pool = make_pool("Tier 1 senior", tier=1, members=[sarah, tom])
    PtoPeriod.objects.create(agent=tom, starts=date.today(), ends=date.today() + timedelta(days=2))
    account = make_account(arr=600000)
    for i in range(3):
        make_vip_ticket(account, assigned_agent=sarah, minutes_left=5 + i)
    make_vip_ticket(account, assigned_agent=tom, minutes_left=60)
    client.force_login(lead)
    r = client.get("/pools/")
    assert r.status_code == 200
    (pv,) = r.context["pools"]
    assert pv.pool == pool
    by_name = {m.agent.user.username: m for m in pv.members}
    assert by_name["sarah"].open_total == 3 and by_name["sarah"].vip_share_pct == 100
    assert by_name["sarah"].burnout_risk
    assert by_name["tom"].on_pto_today and not by_name["tom"].available
    assert pv.available_count == 1
    assert pv.accounts_of_tier == 1
    late = pv.at_risk
    assert any("Tom R is on PTO" in r.reason for r in late)
    html = r.content.decode()
    assert "Burnout risk" in html and "On PTO until" in html and "Breach forecast" in html


def test_it_refuses_csms_and_agents(client, csm, agent_user):
    for user in (csm, agent_user):
        client.force_login(user)
        assert client.get("/pools/").status_code == 403


def test_it_adds_and_removes_members(client, lead):
    pool = make_pool(tier=1)
    a = make_agent()
    client.force_login(lead)
    assert client.post(f"/pools/{pool.pk}/members/", {"agent": a.pk}).status_code == 302
    assert list(pool.members.all()) == [a]
    assert client.post(f"/pools/{pool.pk}/members/{a.pk}/remove/").status_code == 302
    assert not pool.members.exists()


def test_it_adds_edits_and_deletes_pto(client, lead):
    a = make_agent()
    client.force_login(lead)
    start = date.today() + timedelta(days=3)
    r = client.post(
        "/pools/pto/", {"agent": a.pk, "starts": start, "ends": start + timedelta(days=2)}
    )
    assert r.status_code == 302
    pto = PtoPeriod.objects.get(agent=a)
    r = client.post(f"/pools/pto/{pto.pk}/", {"starts": start, "ends": start, "note": "dentist"})
    assert r.status_code == 302
    pto.refresh_from_db()
    assert pto.ends == start and pto.note == "dentist"
    assert client.get(f"/pools/pto/{pto.pk}/").status_code == 200
    assert client.post(f"/pools/pto/{pto.pk}/delete/").status_code == 302
    assert not PtoPeriod.objects.exists()


def test_it_rejects_pto_ending_before_it_starts(client, lead):
    a = make_agent()
    client.force_login(lead)
    start = date.today()
    r = client.post(
        "/pools/pto/", {"agent": a.pk, "starts": start, "ends": start - timedelta(days=1)}
    )
    assert r.status_code == 400
    assert "can&#x27;t be before" in r.content.decode()
    assert not PtoPeriod.objects.exists()
    pto = PtoPeriod.objects.create(agent=a, starts=start, ends=start)
    r = client.post(f"/pools/pto/{pto.pk}/", {"starts": start, "ends": start - timedelta(days=1)})
    assert r.status_code == 400


def test_it_refuses_pool_management_to_csms_and_agents(client, csm, agent_user):
    pool = make_pool(tier=1)
    a = make_agent()
    pto = PtoPeriod.objects.create(agent=a, starts=date.today(), ends=date.today())
    for user in (csm, agent_user):
        client.force_login(user)
        assert client.post(f"/pools/{pool.pk}/members/", {"agent": a.pk}).status_code == 403
        assert client.post(f"/pools/{pool.pk}/members/{a.pk}/remove/").status_code == 403
        d = date.today()
        assert (
            client.post("/pools/pto/", {"agent": a.pk, "starts": d, "ends": d}).status_code == 403
        )
        assert client.get(f"/pools/pto/{pto.pk}/").status_code == 403
        assert client.post(f"/pools/pto/{pto.pk}/", {"starts": d, "ends": d}).status_code == 403
        assert client.post(f"/pools/pto/{pto.pk}/delete/").status_code == 403
    assert PtoPeriod.objects.count() == 1 and not pool.members.exists()


def test_it_answers_404_for_missing_objects(client, lead):
    client.force_login(lead)
    assert client.post("/pools/999999/members/", {"agent": 1}).status_code == 404
    assert client.post("/pools/pto/999999/delete/").status_code == 404


def test_it_does_not_query_per_member_or_ticket(client, lead):
    client.force_login(lead)
    account = make_account(arr=600000)

    def count(n):
        pool = make_pool(tier=1)
        for _ in range(n):
            a = make_agent(level=3)
            pool.members.add(a)
            PtoPeriod.objects.create(agent=a, starts=date.today(), ends=date.today())
            make_vip_ticket(account, assigned_agent=a, minutes_left=1)
            make_vip_ticket(account, minutes_left=2)
        refresh_figures()
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/pools/").status_code == 200
        return len(ctx)

    # session, user, permissions (2), routing policy, stored figures, pools,
    # memberships, agents, their PTO, open loads, eligibility, waiting tickets, roles,
    # alerts, open tasks, session save (3)
    assert count(3) == count(30) == 19
    assert AgentPool.objects.count() == 2 and Agent.objects.count() == 33


def test_it_reads_the_monthly_figures_the_job_stored(client, lead):
    client.force_login(lead)
    sarah = make_agent(make_user("sarah", first_name="Sarah"), level=3)
    make_pool(tier=1, members=[sarah])
    with CaptureQueriesContext(connection) as first:
        client.get("/pools/")  # none stored yet: computed at once (no Redis here)
    make_vip_ticket(assigned_agent=sarah)
    with CaptureQueriesContext(connection) as stored:
        r = client.get("/pools/")
    assert len(stored) < len(first)
    assert r.context["pools"][0].members[0].vip_this_month == 0  # as stored
    assert r.context["pools"][0].members[0].open_total == 1  # the open load is live
    assert "coverage as of" in r.content.decode()
    refresh_figures()
    r = client.get("/pools/")
    assert r.context["pools"][0].members[0].vip_this_month == 1


@time_machine.travel(MID_MONTH, tick=False)
def test_it_counts_tier_1_waits_over_the_acknowledgement_target_per_agent(client, lead):
    sarah = make_agent(make_user("sarah", first_name="Sarah"), level=3)
    tom = make_agent(make_user("tom", first_name="Tom"), level=3)
    make_pool("Tier 1", tier=1, members=[sarah, tom])
    now = timezone.now()
    opened = now - timedelta(hours=1)

    def answered_after(agent, minutes, **kw):
        return make_vip_ticket(
            assigned_agent=agent,
            created_at=opened,
            first_response_at=opened + timedelta(minutes=minutes),
            **kw,
        )

    answered_after(sarah, 10)
    answered_after(sarah, 16)  # > 15 min
    make_vip_ticket(assigned_agent=sarah, created_at=now - timedelta(minutes=20))  # waiting
    answered_after(tom, 15)  # exactly the target is fine
    answered_after(tom, 40, tier=2, account=make_account(arr=200000))  # not Tier 1
    client.force_login(lead)
    r = client.get("/pools/")
    by_name = {m.agent.user.username: m for m in r.context["pools"][0].members}
    assert (by_name["sarah"].tier1_slow_acks, by_name["sarah"].tier1_this_month) == (2, 3)
    assert (by_name["tom"].tier1_slow_acks, by_name["tom"].tier1_this_month) == (0, 1)
    assert "Tier-1 waits &gt; 15 min" in r.content.decode()


@time_machine.travel(MID_MONTH, tick=False)
def test_it_counts_vip_transfers_without_a_warm_handoff(client, lead):
    sarah = make_agent(make_user("sarah", first_name="Sarah"), level=3)
    tom = make_agent(make_user("tom", first_name="Tom"), level=3)
    make_pool("Tier 1", tier=1, members=[sarah, tom])
    warm, cold = make_vip_ticket(assigned_agent=sarah), make_vip_ticket(assigned_agent=sarah)
    assign_ticket(warm, tom, by=lead, note="Tom takes over; the customer expects a call.")
    log_reassignment(cold, sarah, tom, by=lead)  # e.g. the admin's assignee correction
    client.force_login(lead)
    r = client.get("/pools/")
    by_name = {m.agent.user.username: m for m in r.context["pools"][0].members}
    assert (by_name["sarah"].cold_transfers, by_name["tom"].cold_transfers) == (1, 0)
    assert Reassignment.objects.filter(handoff_note__isnull=False).count() == 1


def test_it_shows_only_the_most_urgent_at_risk_tickets_and_counts_the_rest():
    from tickets.staffing.pools import AT_RISK_SHOWN, ForecastRow, PoolView

    rows = [
        ForecastRow(
            ticket=SimpleNamespace(pk=n),
            due=None,
            agent=None,
            start=None,
            at_risk=n % 2 == 0,
            reason="late",
        )
        for n in range(2 * AT_RISK_SHOWN + 10)
    ]
    view = PoolView(
        pool=None,
        members=[],
        accounts_of_tier=0,
        requirement=Requirement(),
        handling=timedelta(minutes=15),
        handling_measured=False,
        forecast=rows,
    )
    assert [r.ticket.pk for r in view.at_risk_shown] == list(range(0, 2 * AT_RISK_SHOWN, 2))
    assert view.at_risk_hidden == 5


def test_it_renders_member_rows_escaped_with_their_pto_and_actions(client, lead):
    odd = make_agent(make_user("odd", first_name="<b>Bo</b>", last_name="& Co"), level=3)
    pool = make_pool("Tier 1", tier=1, members=[odd])
    pto = PtoPeriod.objects.create(
        agent=odd, starts=date.today(), ends=date.today() + timedelta(days=1), note="<i>trip</i>"
    )
    client.force_login(lead)
    html = client.get("/pools/").content.decode()
    assert "<b>Bo</b>" not in html and "&lt;b&gt;Bo&lt;/b&gt; &amp; Co" in html
    assert "&lt;i&gt;trip&lt;/i&gt;" in html and f'href="/pools/pto/{pto.pk}/"' in html
    delete_form = html.split(f'action="/pools/pto/{pto.pk}/delete/"')[1].split("</form>")[0]
    assert 'name="csrfmiddlewaretoken" value="' in delete_form
    assert f'form="remove-{pool.pk}" formaction="/pools/{pool.pk}/members/{odd.pk}/remove/"' in html
    assert "On PTO until" in html
    # The Remove button posts the pool's hidden form: the member leaves the pool.
    assert client.post(f"/pools/{pool.pk}/members/{odd.pk}/remove/").status_code == 302
    assert not pool.members.exists()


def test_it_lists_every_agent_as_an_escaped_option_with_the_chosen_one_selected():
    odd = make_agent(make_user("odd2", first_name="<b>Bo</b>", last_name="& Co"), level=3)
    plain = make_agent(make_user("plain2", first_name="Al", last_name="Ng"), level=1)
    html = str(agent_options([odd, plain], selected=plain.pk))
    assert html == (
        f'<option value="{odd.pk}">&lt;b&gt;Bo&lt;/b&gt; &amp; Co (Senior)</option>'
        f'<option value="{plain.pk}" selected>Al Ng (L1)</option>'
    )
