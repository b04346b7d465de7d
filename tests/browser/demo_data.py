"""Realistic-looking floor for the queue and pools screenshots (seed 002's dashboard)."""

from datetime import date, timedelta

from django.utils import timezone

from tests.factories import (
    make_account,
    make_agent,
    make_contact,
    make_pool,
    make_ticket,
    make_user,
)
from tickets.models import PtoPeriod, TicketMessage
from vipdesk.alerts.models import Alert
from vipdesk.lib.roles import Role


def build_floor(lead=None) -> dict:
    now = timezone.now()
    people = {}
    for username, first, last, level, tenure in [
        ("sarah", "Sarah", "Mitchell", 3, 1400),
        ("tom", "Tom", "Reyes", 3, 900),
        ("lisa", "Lisa", "Kim", 3, 700),
        ("alex", "Alex", "Park", 2, 500),
        ("maria", "Maria", "Lopez", 2, 240),
        ("david", "David", "Klein", 1, 120),
    ]:
        user = make_user(username, Role.AGENT, first_name=first, last_name=last)
        people[username] = make_agent(user, level=level, tenure_days=tenure)
    senior = make_pool(
        "Tier 1 senior pool",
        tier=1,
        lead=lead,
        members=[people["sarah"], people["tom"], people["lisa"]],
    )
    enterprise = make_pool(
        "Tier 2 enterprise pool",
        tier=2,
        lead=lead,
        members=[people["alex"], people["maria"], people["lisa"]],
    )
    PtoPeriod.objects.create(
        agent=people["tom"],
        starts=date.today(),
        ends=date.today() + timedelta(days=2),
        note="Family trip",
    )
    PtoPeriod.objects.create(
        agent=people["maria"],
        starts=date.today() + timedelta(days=10),
        ends=date.today() + timedelta(days=14),
    )
    csm = make_user("jordan", Role.CSM, first_name="Jordan", last_name="Blake")
    accounts = {
        "globex": make_account(
            "Globex Corp",
            arr=620000,
            csm=csm,
            health_score=62,
            risk_score=78,
            risk_level="high",
            plan="Enterprise Plus",
            risk_factors=[
                {"name": "Usage dropping", "points": 15, "reason": "weekly active users −25%"},
                {"name": "Churn language", "points": 25, "reason": "“looking at alternatives”"},
                {
                    "name": "Renewal in 45 days",
                    "points": 10,
                    "reason": "renews soon with open issues",
                },
            ],
        ),
        "wayne": make_account("Wayne Enterprises", arr=540000, csm=csm, health_score=81),
        "acme": make_account("ACME Inc", arr=240000, csm=csm, health_score=74),
        "initech": make_account("Initech", arr=180000, health_score=69),
        "upton": make_account("Upton Inc", arr=75000, health_score=88),
        "hooli": make_account("Hooli", arr=30000, health_score=90),
    }
    make_contact(accounts["globex"], "Hank Scorpio", title="CEO")
    make_contact(accounts["globex"], "Mindy Simmons", title="VP Engineering")

    def ticket(acct, subject, tier, prio, agent, opened_min, due_min, **kw):
        return make_ticket(
            accounts[acct],
            subject=subject,
            routed=True,
            tier=tier,
            effective_priority=prio,
            customer_priority=kw.pop("customer_priority", prio),
            queue={1: "senior", 2: "priority", 3: "priority"}.get(tier, "general"),
            assigned_agent=people.get(agent),
            created_at=now - timedelta(minutes=opened_min),
            sla_first_response_due=now + timedelta(minutes=due_min),
            sla_resolution_due=now + timedelta(hours=24),
            status="open",
            **kw,
        )

    tickets = {
        "outage": ticket(
            "globex",
            "API outage affecting production",
            1,
            "P1",
            "sarah",
            12,
            3,
            churn_signals=[
                {"phrase": "looking at alternatives", "kind": "direct"},
                {"phrase": "this keeps happening", "kind": "indirect"},
            ],
            sentiment=-0.72,
            sla_warning_level=1,
            body="Our production API has returned 502s for 20 minutes. This keeps happening and "
            "our CTO is asking whether we should be looking at alternatives.",
            requester_name="Mindy Simmons",
            requester_email="mindy@account.example",
            routing_reasons=[
                "Tier 1 Strategic — ARR $620,000",
                "Customer priority P1 → effective P1",
                "Tier 1 P1: first response within 15 min, 24/7, queue senior",
                "Assigned to Sarah Mitchell: Tier-1 pool, Senior, 2 open tickets",
                "CSM Jordan Blake notified (VIP P2+)",
                "Churn language: “looking at alternatives” (direct)",
            ],
        ),
        "migration": ticket("wayne", "Data migration stalled at 80%", 1, "P2", "tom", 34, 26),
        "breached": ticket("globex", "SSO login loop for EU users", 1, "P2", None, 40, -4),
        "sso": ticket("acme", "SSO configuration for new subsidiary", 2, "P2", "alex", 60, 120),
        "billing": ticket(
            "initech",
            "Billing discrepancy on November invoice",
            2,
            "P3",
            "maria",
            45,
            135,
            customer_priority="P4",
        ),
        "feature": ticket("upton", "Feature access question", 3, "P3", "lisa", 90, 30),
        "exec": ticket(
            "hooli", "Quick question from our CFO", 4, "P1", None, 2, 13, executive_contact=True
        ),
    }
    # History: this month's answered VIP tickets and everyone's open standard work.
    workload = {
        "sarah": (1, 17),
        "tom": (3, 14),
        "lisa": (4, 13),
        "alex": (4, 11),
        "maria": (3, 10),
        "david": (5, 0),
    }
    for name, (standard, vip_done) in workload.items():
        for i in range(standard):
            make_ticket(
                accounts["hooli"],
                subject=f"How do I export report {i + 1}?",
                routed=True,
                tier=4,
                effective_priority="P3",
                queue="general",
                status="open",
                assigned_agent=people[name],
                created_at=now - timedelta(hours=2 + i),
            )
        for i in range(vip_done):
            created = now - timedelta(hours=3 + i * 7 % 400)
            make_ticket(
                accounts["globex" if i % 2 else "acme"],
                subject=f"Resolved request {i + 1}",
                routed=True,
                tier=1 if i % 2 else 2,
                effective_priority="P2",
                status="solved",
                assigned_agent=people[name],
                created_at=created,
                first_response_at=created + timedelta(minutes=7 + i % 6),
                resolved_at=created + timedelta(hours=3),
            )
    TicketMessage.objects.create(
        ticket=tickets["outage"],
        author="agent",
        author_name="Sarah Mitchell",
        body="Hi Mindy — we're on it. Engineering has identified the failing load balancer; "
        "next update within 30 minutes.",
        created_at=now - timedelta(minutes=6),
    )
    return dict(
        people=people, pools=[senior, enterprise], accounts=accounts, tickets=tickets, csm=csm
    )


def alerts_for(user, tickets, accounts) -> list:
    now = timezone.now()
    rows = [
        (
            "vip_ticket",
            "Globex Corp filed a P1 ticket: API outage affecting production",
            tickets["outage"],
            accounts["globex"],
            8,
        ),
        (
            "churn_language",
            "Churn language from Globex Corp: “looking at alternatives”",
            tickets["outage"],
            accounts["globex"],
            7,
        ),
        (
            "executive_contact",
            "Executive contact: Hooli's CFO opened a ticket",
            tickets["exec"],
            accounts["hooli"],
            2,
        ),
        (
            "sla_warning",
            "SLA about to breach: Data migration stalled at 80%",
            tickets["migration"],
            accounts["wayne"],
            1,
        ),
        (
            "risk_threshold",
            "Globex Corp crossed risk 70 (CSM attention)",
            None,
            accounts["globex"],
            120,
        ),
    ]
    return [
        Alert.objects.create(
            user=user,
            kind=kind,
            dedupe_key=f"demo:{i}",
            title=title,
            ticket=ticket,
            account=account,
            created_at=now - timedelta(minutes=ago),
            body="Open the ticket for the account context." if ticket else "",
        )
        for i, (kind, title, ticket, account, ago) in enumerate(rows)
    ]
