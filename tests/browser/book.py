"""A realistic small book of accounts for the browser tests and their screenshots."""

import importlib
from datetime import date, timedelta
from decimal import Decimal

from django.apps import apps
from django.core.cache import cache
from django.utils import timezone

from accounts.models import Account, CsmNote, ScoreSnapshot
from tests.accounts.helpers import level_for, make_feedback, make_scored_account
from tests.factories import (
    make_agent,
    make_contact,
    make_escalation,
    make_pool,
    make_ticket,
    make_user,
)
from vipdesk.lib.roles import Role

AGENT_NAMES = [
    ("Sarah", "Mitchell"),
    ("Tom", "Reyes"),
    ("Lisa", "Kowalski"),
    ("Alex", "Park"),
    ("Maria", "Lopez"),
    ("David", "Kim"),
    ("Nina", "Okafor"),
]


def make_history(account: Account, days: int = 90) -> None:
    """A daily score history that drifts towards the account's current scores."""
    today = date.today()
    start_risk = max(5, account.risk_score - 45)
    start_health = min(95, (account.health_score or 50) + 30)
    points = []
    for i in range(days):
        t = i / (days - 1)
        wobble = (i * 7919) % 9 - 4
        risk = max(0, min(100, round(start_risk + (account.risk_score - start_risk) * t + wobble)))
        health = max(
            0,
            min(
                100,
                round(start_health + ((account.health_score or 50) - start_health) * t - wobble),
            ),
        )
        points.append(
            ScoreSnapshot(
                account=account,
                day=today - timedelta(days=days - 1 - i),
                health_score=health,
                risk_score=risk,
                risk_level=level_for(risk),
                risk_factors=[],
            )
        )
    ScoreSnapshot.objects.bulk_create(points)


def load_default_policies() -> None:
    """Live-server tests flush the database between tests, default policies included (and
    the dashboard's cached aggregates would outlive them)."""
    cache.clear()
    for module in (
        "accounts.migrations.0002_default_policies",
        "tickets.migrations.0002_default_policies",
    ):
        importlib.import_module(module).load(apps, None)


def factor(name: str, points: int, reason: str) -> dict:
    return {"name": name, "points": points, "reason": reason}


BOOK = [
    # name, ARR, risk, health, renewal in days, factors, sponsor
    (
        "Globex Corporation",
        620000,
        92,
        38,
        41,
        [
            factor("Churn language", 25, "“looking at alternatives” in ticket #4812"),
            factor("Usage drop", 15, "weekly active users down 25% in 4 weeks"),
            factor("Open escalation", 15, "1 open Critical escalation"),
            factor("Renewal proximity", 10, "renewal in 41 days"),
        ],
        "Dana Whitfield",
    ),
    (
        "Stark Industries",
        540000,
        78,
        55,
        120,
        [
            factor("Usage drop", 15, "weekly active users down 18% in 4 weeks"),
            factor("NPS drop", 10, "NPS fell from 52 to 21"),
            factor("Silent champion", 8, "champion silent for 45 days"),
        ],
        "Dana Whitfield",
    ),
    (
        "Cyberdyne Systems",
        240000,
        74,
        58,
        75,
        [
            factor("Ticket frequency", 18, "9 tickets in 14 days vs 3 the 14 before"),
            factor("Severity escalating", 12, "two P1 tickets this week"),
            factor("Sentiment falling", 12, "sentiment -0.4 over the last 10 messages"),
        ],
        "",
    ),
    (
        "Oscorp",
        180000,
        88,
        44,
        160,
        [
            factor("Churn language", 25, "“evaluating alternatives” in ticket #5120"),
            factor("Shorter messages", 8, "messages 60% shorter than last quarter"),
        ],
        "Sam Ortega",
    ),
    (
        "Initech",
        130000,
        45,
        67,
        220,
        [
            factor("Ticket frequency", 18, "5 tickets in 14 days vs 2 the 14 before"),
        ],
        "Sam Ortega",
    ),
    (
        "Umbrella Health",
        85000,
        71,
        52,
        28,
        [
            factor("Renewal proximity", 10, "renewal in 28 days"),
            factor("Usage drop", 15, "weekly active users down 30% in 4 weeks"),
            factor("Open escalation", 15, "1 open High escalation"),
        ],
        "",
    ),
    ("Wayne Enterprises", 720000, 22, 86, 300, [], "Priya Natarajan"),
    ("Hooli", 60000, 35, 74, 190, [factor("NPS drop", 10, "NPS fell from 40 to 28")], ""),
    (
        "Vandelay Industries",
        42000,
        64,
        60,
        58,
        [
            factor("Sentiment falling", 12, "sentiment -0.3 over the last 10 messages"),
            factor("Renewal proximity", 10, "renewal in 58 days"),
        ],
        "",
    ),
    ("Pied Piper", 30000, 12, 91, 330, [], ""),
]


def make_book(csm, lead, other_csm=None):
    """Ten accounts across tiers (most owned by `csm`), with contacts, tickets, notes,
    escalations, score history, flag verdicts, agents and pools."""
    load_default_policies()
    now = timezone.now()
    accounts = {}
    for i, (name, arr, risk, health, renewal, factors, sponsor) in enumerate(BOOK):
        owner = other_csm if other_csm is not None and i % 4 == 3 else csm
        account = make_scored_account(
            name,
            risk=risk,
            health=health,
            arr=Decimal(arr),
            renewal_in=renewal,
            factors=factors,
            csm=owner,
            account_manager=lead,
            executive_sponsor=sponsor,
            plan="Enterprise" if arr >= 100000 else "Business",
            contract_start=date.today() - timedelta(days=600 + 30 * i),
            nps=30 - risk // 4,
            previous_nps=45,
            usage_trend_pct=-(risk // 4) + 0.0,
            weekly_active_users=[400 - 20 * w * risk // 50 for w in range(8)],
            expansion_opportunity=Decimal(50000 if i % 3 == 0 else 0),
            scored_at=timezone.now() - timedelta(minutes=20),
            intervention_status=["planned", "in_progress", "none"][i % 3] if risk >= 70 else "none",
            intervention_owner=(csm if i % 2 else lead) if risk >= 70 and i % 3 != 2 else None,
        )
        accounts[name] = account
        make_contact(account, f"{name.split()[0]} CEO", title="Chief Executive Officer")
        make_contact(
            account, f"{name.split()[0]} Ops Lead", title="Head of Operations", is_champion=True
        )
        make_history(account)
    globex = accounts["Globex Corporation"]
    people = [
        make_agent(
            make_user(first.lower(), Role.AGENT, first_name=first, last_name=last[0] + "."),
            level=3 if n < 3 else 2,
        )
        for n, (first, last) in enumerate(AGENT_NAMES)
    ]
    senior = people[:3]
    make_pool("Tier 1 senior pool", tier=1, members=senior)
    make_pool("Enterprise pool", tier=2, members=people[3:])
    subjects = [
        ("API outage affecting production", 1, 12),
        ("Data migration stuck at 60%", 1, 34),
        ("SSO configuration for new subsidiary", 2, 60),
        ("Billing discrepancy on last invoice", 2, 45),
        ("Feature access question", 3, 90),
    ]
    by_tier = {1: globex, 2: accounts["Cyberdyne Systems"], 3: accounts["Umbrella Health"]}
    for j, (subject, tier, age) in enumerate(subjects):
        created = now - timedelta(minutes=age)
        make_ticket(
            by_tier[tier],
            subject,
            tier=tier,
            status="open",
            customer_priority="P2",
            effective_priority="P1" if tier == 1 else "P2",
            created_at=created,
            sla_first_response_due=created + timedelta(minutes=[15, 30, 60][tier - 1] + 5 * j),
            sla_resolution_due=created + timedelta(hours=24),
            assigned_agent=senior[j % 3],
        )
    for k in range(12):
        created = now - timedelta(days=k + 1, hours=3)
        account = list(accounts.values())[k % 6]
        make_ticket(
            account,
            f"Question {k + 1} about reporting exports",
            tier=account.tier,
            status="solved",
            created_at=created,
            first_response_at=created + timedelta(minutes=6 + 4 * k),
            resolved_at=created + timedelta(hours=2 + k),
            sla_first_response_due=created + timedelta(minutes=30),
            csat=5 - k % 3,
            assigned_agent=senior[k % 3],
        )
    make_escalation(
        globex, summary="Production API outage, third this quarter", severity="critical", owner=lead
    )
    CsmNote.objects.create(
        account=globex, author=csm, body="CFO asked for a service-credit proposal before renewal."
    )
    make_feedback(accounts["Oscorp"], "accurate", user=csm)
    make_feedback(
        accounts["Initech"], "false_positive", user=csm, factors=accounts["Initech"].risk_factors
    )
    make_feedback(globex, "accurate", user=csm, factors=globex.risk_factors)
    return accounts


def ignore_favicon(page) -> None:
    """The layout has no favicon; keep the browser's 404 for it out of console_errors."""
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))


def settle_full_height(page) -> None:
    """Before a full-page screenshot: back to the top (Chromium leaves charts that were
    drawn while scrolled out of view blank in the picture) and let plotly settle."""
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_timeout(500)
