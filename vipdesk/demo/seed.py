"""The demo company behind `manage.py seed_demo`: staff, accounts, contacts, agents and
pools, a year of tickets with their messages, weekly usage and quarterly NPS history,
escalations, churns and CSM notes, all driven by a hidden cause (see "the hidden cause"
below) that the risk score has to discover from its symptoms.

Deterministic: every phase draws from its own `random.Random` seeded with
"<seed>:<phase>", accounts and tickets from one per chunk ("<seed>:tickets:<chunk>"),
and ids are assigned here (from the table's highest id), so the same seed on an empty
database gives the same rows. Large runs stream: rows are built in chunks and written
with PostgreSQL COPY (executemany INSERT on SQLite), one transaction per phase, while
the next chunks are built; on PostgreSQL worker processes build chunks too, so the
Python work uses every core (vipdesk/lib/bulk.py: load_chunks). Memory stays flat
whatever the ticket count; what is kept per account is a few numbers (AccountPlan).

Open tickets are left `routed=False` and unassigned for the router; historical (solved/closed) ones
get plausible routing fields as they are written (history_routing)."""

import math
import random
import re
import string
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import cache
from itertools import accumulate

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.db import connection, transaction
from django.test.utils import override_settings
from django.utils import timezone

from accounts.cadence.jobs import schedule_relationship_tasks
from accounts.executives import is_executive_title
from accounts.history import USAGE_WEEKS_SHOWN, usage_trend_pct
from accounts.models import (
    Account,
    AccountDomain,
    Contact,
    CsmNote,
    NpsPoint,
    Tier,
    UsagePoint,
)
from accounts.tiering import current_bands, retier_accounts, tier_for
from escalations.jobs import open_requested_escalations
from escalations.models import Escalation, EscalationEvent
from tickets.followups.jobs import create_missing_follow_ups
from tickets.models import (
    Agent,
    AgentLevel,
    AgentPool,
    InboxDelivery,
    PtoPeriod,
    Ticket,
    TicketMessage,
    customer_message_stats,
)
from tickets.routing import churn
from tickets.routing.actions import load_policies
from tickets.routing.jobs import route_pending
from vipdesk.alerts.models import Alert
from vipdesk.demo import text
from vipdesk.insight.rescore import rescore_all
from vipdesk.lib.bulk import (
    BackgroundLoad,
    BulkWriter,
    analyze,
    load_chunks,
    next_id,
    reset_sequences,
)
from vipdesk.lib.business_hours import add_minutes
from vipdesk.lib.roles import Role
from vipdesk.tasks.models import Task

DEFAULT_SEED = 2026
DEMO_PASSWORD = "vipdesk-demo"  # noqa: S105 — documented in the README
STAFF_EMAIL_DOMAIN = "staff.vipdesk.example"
DEMO_LOGINS = (
    # username, role, first name, last name
    ("csm", Role.CSM, "Casey", "Morgan"),
    ("lead", Role.LEAD, "Lee", "Okonkwo"),
    ("agent", Role.AGENT, "Alex", "Rivera"),
    ("admin", Role.ADMIN, "Ari", "Lindholm"),
)

# Overall share of tickets whose first message carries churn language.
DIRECT_CHURN_RATE = 0.025
INDIRECT_CHURN_RATE = 0.08
NEGATED_CHURN_RATE = 0.01
USAGE_WEEKS = 52  # weekly active users history per account
NPS_POINTS = 5  # quarterly NPS answers per account, at most
UNMATCHED_SHARE = 0.02  # tickets from people we cannot tie to an account
HISTORY_DAYS = 365
STORY_TICKETS = 2  # written by create_story_tickets, part of the requested count
# From this many rows a table's non-unique indexes and foreign keys are put back after
# loading, not kept up.
LARGE_LOAD = 50_000
# Tickets are built in chunks, each from its own random stream, so that worker processes
# can build them in parallel and the data stays the same whatever their number.
TICKET_CHUNK = 10_000
ACCOUNT_CHUNK = 2_000
CONTACT_CHUNK = 5_000  # accounts whose contacts are written at once
MESSAGES_PER_TICKET = 4  # at most: the question, a reply, a follow-up, a closing; each
# chunk's message ids start at a block reserved for that many (the gaps do no harm)
CLOSED = (Ticket.Status.SOLVED, Ticket.Status.CLOSED)


def _status_by_age() -> tuple:
    S = Ticket.Status
    return tuple(
        (days, statuses, list(accumulate(weights)))
        for days, statuses, weights in (
            (1, (S.NEW, S.OPEN, S.PENDING, S.SOLVED), (45, 40, 10, 5)),
            (3, (S.NEW, S.OPEN, S.PENDING, S.HOLD, S.SOLVED), (10, 40, 25, 5, 20)),
            (14, (S.OPEN, S.PENDING, S.HOLD, S.SOLVED), (10, 15, 5, 70)),
            (30, (S.SOLVED, S.CLOSED), (40, 60)),
            (math.inf, (S.SOLVED, S.CLOSED), (4, 96)),
        )
    )


# A ticket's status by its age: (younger than this many days, statuses, cumulative
# weights), for random.choices.
STATUS_BY_AGE = _status_by_age()
HISTORY_REASONS = ["Routed when the ticket arrived (demo history)."]
# routed, routed_at, tier, effective priority, queue, 2 due times, 2 breach times, reasons
NOT_ROUTED = (False, None, None, "", "", None, None, None, None, [])

# Story accounts (SPEC: the $380K account whose $12 question sat in the general queue).
# name, ARR, renewal in days, strategic, executive review, at risk, NPS, previous NPS
STORY_ACCOUNTS = (
    ("Northwind Logistics", 380_000, 41, False, False, True, 12, 41),
    ("Contoso Pharmaceuticals", 1_250_000, 210, True, True, False, 58, 52),
    ("Globex Corporation", 720_000, 75, False, False, True, -5, 30),
    ("Aperture Health", 240_000, 320, True, False, False, 44, 40),
    ("Tyrell Analytics", 180_000, 150, False, True, False, 35, 37),
    ("Umbrella Retail", 85_000, 55, False, False, True, 8, 25),
    ("Blue Harbor Freight", 32_000, 20, False, False, False, 30, 28),
)

DUMMY_MAILER = "django.core.mail.backends.dummy.EmailBackend"


# ------------------------------------------------------------------ the hidden cause
# Each account may go through one spell of latent trouble with its own onset. Trouble
# builds up gradually (intensity 0 → its strength) and drives every symptom the
# generator writes: more tickets, more P1/P2, churn language and negative wording,
# shorter messages, slower answers and lower CSAT, fewer weekly active users, lower NPS
# answers, a champion who stops writing. After a random lag it ends in an escalation
# or a churn (dated), or, for false alarms, calms down with no outcome. A few
# escalations come out of the blue, with no trouble before them. The risk score's
# formula is never used here: the backtest measures how well it reads these symptoms.
TROUBLE_OUTCOMES = (  # outcome, share of accounts, lag from onset to outcome (days)
    ("escalation", 0.07, (10, 60)),
    ("churn", 0.025, (20, 90)),
    ("calm", 0.06, (14, 40)),  # a false alarm: noisy weeks, then back to normal
)
OUT_OF_THE_BLUE_SHARE = 0.015  # escalations with no trouble before them
TROUBLE_TICKET_SHARE = 0.5  # at full strength, this share of an account's tickets
AFTERMATH_DAYS = 10  # an escalation's trouble fades over this many days


@dataclass(slots=True)
class Trouble:
    onset: datetime
    outcome: str  # "escalation" | "churn" | "calm"
    outcome_at: datetime  # escalation opened / churned / calm again
    strength: float  # 0.3–1: how loud the symptoms get

    @property
    def end(self) -> datetime:
        """When the symptoms are gone (churned accounts write no more)."""
        if self.outcome == "escalation":
            return self.outcome_at + timedelta(days=AFTERMATH_DAYS)
        return self.outcome_at

    def intensity(self, at: datetime) -> float:
        """0 before the onset, rising to `strength` at the outcome; a false alarm peaks
        halfway and calms down; an escalation's trouble fades in its aftermath."""
        if at < self.onset or at >= self.end:
            return 0.0
        span = (self.outcome_at - self.onset).total_seconds()
        x = (at - self.onset).total_seconds() / span if span else 1.0
        if self.outcome == "calm":
            return self.strength * (1 - abs(2 * x - 1))
        if x <= 1:
            return self.strength * x
        aftermath = (at - self.outcome_at) / timedelta(days=AFTERMATH_DAYS)
        return self.strength * (1 - aftermath)


def draw_trouble(rng: random.Random, now: datetime, story_at_risk: bool | None) -> Trouble | None:
    """Latent trouble for one account: onsets spread over the year (some still building
    at `now`, their outcome not yet happened). Story accounts at risk are in trouble now."""
    if story_at_risk is not None:
        if not story_at_risk:
            return None
        onset = now - timedelta(days=rng.uniform(35, 60))
        return Trouble(onset, "escalation", now + timedelta(days=rng.uniform(3, 20)), 0.9)
    u = rng.random()
    for outcome, share, (low, high) in TROUBLE_OUTCOMES:
        if u < share:
            onset = now - timedelta(days=rng.uniform(0, HISTORY_DAYS + 30))
            lag = timedelta(days=rng.uniform(low, high))
            strength = rng.uniform(0.3, 1.0)
            return Trouble(onset.replace(microsecond=0), outcome, onset + lag, strength)
        u -= share
    return None


@dataclass(slots=True)
class AccountPlan:
    """What ticket generation needs to know about an account."""

    id: int
    name: str
    domain: str
    tier: int
    trouble: Trouble | None
    csm_id: int | None
    first_contact_id: int = 0
    contacts: int = 0
    blue_escalation_at: datetime | None = None  # an escalation out of the blue

    @property
    def at_risk(self) -> bool:
        return self.trouble is not None

    def intensity(self, at: datetime) -> float:
        return self.trouble.intensity(at) if self.trouble else 0.0

    def churned_at(self, now: datetime) -> datetime | None:
        t = self.trouble
        return t.outcome_at if t and t.outcome == "churn" and t.outcome_at <= now else None


# Random values for the {placeholders} of the text templates.
PLACEHOLDERS = {
    "n": lambda rng: rng.randint(10_000, 99_999),
    "month": lambda rng: rng.choice(text.MONTHS),
    "seats": lambda rng: rng.randint(6, 400),
    "small": lambda rng: rng.choice((12, 19, 24, 48, 99)),
    "team": lambda rng: rng.choice(text.TEAMS),
    "integration": lambda rng: rng.choice(text.INTEGRATIONS),
    "feature": lambda rng: rng.choice(text.FEATURES),
    "weekday": lambda rng: rng.choice(text.WEEKDAYS),
}
TEMPLATE_FIELDS: dict[str, tuple[str, ...]] = {}  # template -> its placeholder names


class Progress:
    def __init__(self, stdout, label: str, total: int):
        self.stdout, self.label, self.total = stdout, label, total
        self.started = time.monotonic()

    def report(self, done: int) -> None:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        self.stdout.write(f"  {self.label}: {done:,}/{self.total:,} ({done / elapsed:,.0f} rows/s)")


def slug(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", value.lower())


@cache
def name_slug(name: str) -> str:
    """slug() of a first or last name: few names, millions of e-mail addresses."""
    return slug(name)


def clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


class DemoCompany:
    def __init__(
        self,
        *,
        seed: int = DEFAULT_SEED,
        accounts: int = 300,
        tickets: int = 5000,
        now: datetime | None = None,
        workers: int = 1,
        stdout=None,
    ):
        self.seed = seed
        self.n_accounts = max(accounts, len(STORY_ACCOUNTS))
        self.n_tickets = tickets
        self.now = now or timezone.now()
        self.today = self.now.date()
        # The latest complete week (weeks start on Mondays).
        self.last_week = self.today - timedelta(days=self.today.weekday() + 7)
        self.workers = workers
        self.workers_peak_kib = 0  # the largest sum of the worker processes' peak RSS
        self.stdout = stdout or _Silent()
        self.first_names = text.FIRST_NAMES
        self.last_names = text.LAST_NAMES
        self.plans: list[AccountPlan] = []
        self.agent_names: dict[int, str] = {}
        self.eligible_agents: dict[int, list[int]] = {}
        self.escalation_ticket: dict[int, int] = {}  # account id -> a recent P1/P2 ticket
        self.users: dict[str, int] = {}
        self._sentiment_cache: dict[tuple, float] = {}

    def __getstate__(self) -> dict:
        # Worker processes build chunks with a copy (vipdesk/lib/bulk.py: load_chunks);
        # they print nothing.
        return {**self.__dict__, "stdout": _Silent()}

    def rng(self, phase: str) -> random.Random:
        return random.Random(f"{self.seed}:{phase}")

    def say(self, message: str) -> None:
        self.stdout.write(message)

    # ---------------------------------------------------------------- the whole run

    def build(self) -> None:
        started = time.monotonic()
        self.say(
            f"Seeding demo data: {self.n_accounts:,} accounts, {self.n_tickets:,} tickets, "
            f"seed {self.seed}"
        )
        with transaction.atomic():
            self.create_staff()
        with transaction.atomic():
            self.create_agents_and_pools()
        self.create_accounts()
        with transaction.atomic():
            changed = retier_accounts()
        self.say(f"  tiers: {changed:,} accounts re-tiered")
        self.create_contacts()
        self.load_policies()
        self.create_tickets()
        with transaction.atomic():
            self.create_escalations()
            self.create_notes()
        models = [
            Account, AccountDomain, Contact, CsmNote, Agent, AgentPool, AgentPool.members.through,
            PtoPeriod, Ticket, TicketMessage, Escalation, Escalation.tickets.through,
            EscalationEvent, UsagePoint, NpsPoint,
        ]  # fmt: skip
        reset_sequences(models)
        analyze(models)
        self.say(f"Demo data ready in {time.monotonic() - started:,.1f} s")

    # ---------------------------------------------------------------- staff

    def person_name(self, rng: random.Random) -> tuple[str, str]:
        return rng.choice(self.first_names), rng.choice(self.last_names)

    def create_staff(self) -> None:
        rng = self.rng("staff")
        password = make_password(DEMO_PASSWORD)  # hashed once: hashing is slow on purpose
        groups = {g.name: g for g in Group.objects.filter(name__in=Role.ALL)}
        for username, role, first, last in DEMO_LOGINS:
            user, _ = User.objects.update_or_create(
                username=username,
                defaults=dict(
                    first_name=first,
                    last_name=last,
                    email=f"{username}@{STAFF_EMAIL_DOMAIN}",
                    password=password,
                    is_staff=role == Role.ADMIN,
                    is_active=True,
                ),
            )
            user.groups.add(groups[role])
        counts = {
            Role.CSM: clamp(self.n_accounts // 40, 5, 300),
            "account manager": clamp(self.n_accounts // 60, 3, 200),
            Role.AGENT: clamp(self.n_tickets // 350, 14, 400),
            Role.LEAD: clamp(self.n_tickets // 4000, 2, 40),
        }
        taken = set(User.objects.values_list("username", flat=True))
        new_users, roles = [], {}
        for role, count in counts.items():
            for _ in range(count):
                first, last = self.person_name(rng)
                username = base = f"{name_slug(first)}.{name_slug(last)}"
                n = 2
                while username in taken:
                    username, n = f"{base}{n}", n + 1
                taken.add(username)
                roles[username] = role
                new_users.append(
                    User(
                        username=username,
                        first_name=first,
                        last_name=last,
                        email=f"{username}@{STAFF_EMAIL_DOMAIN}",
                        password=password,
                    )
                )
        User.objects.bulk_create(new_users, batch_size=1000)
        self.users = dict(
            User.objects.filter(email__endswith=f"@{STAFF_EMAIL_DOMAIN}").values_list(
                "username", "id"
            )
        )
        memberships = [
            User.groups.through(user_id=self.users[username], group_id=groups[role].id)
            for username, role in roles.items()
            if role in groups
        ]
        User.groups.through.objects.bulk_create(memberships, ignore_conflicts=True)
        self.staff = {
            role: [self.users[u] for u, r in roles.items() if r == role] for role in counts
        }
        self.staff[Role.CSM].insert(0, self.users["csm"])
        self.staff[Role.LEAD].insert(0, self.users["lead"])
        self.staff[Role.AGENT].insert(0, self.users["agent"])
        names = User.objects.filter(id__in=self.users.values()).values_list(
            "id", "first_name", "last_name"
        )
        self.user_names = {pk: f"{first} {last}" for pk, first, last in names}
        self.say(f"  staff: {len(self.users):,} users (logins csm, lead, agent, admin)")

    # ---------------------------------------------------------------- agents and pools

    def create_agents_and_pools(self) -> None:
        rng = self.rng("agents")
        user_ids = self.staff[Role.AGENT]
        agent_id = next_id(Agent)
        rows, agents = [], []  # agents: (id, level, tenure_months)
        for i, user_id in enumerate(user_ids):
            slot = "SBLSBLSL"[i % 8]  # Senior, L2, L1: enough seniors for a Tier 1 pool of 5
            if user_id == self.users["agent"]:
                level, months = AgentLevel.L2, 26
            elif slot == "S":
                level, months = AgentLevel.SENIOR, rng.randint(30, 100)
            elif slot == "B":
                level, months = AgentLevel.L2, rng.randint(12, 60)
            else:
                level, months = AgentLevel.L1, rng.choice([1, 2, 3, 4, 5, 8, 10, 14, 20, 30])
            tenure_start = self.today - timedelta(days=months * 30 + rng.randint(0, 29))
            capacity = rng.randint(6, 12)
            rows.append((agent_id, user_id, level, tenure_start, capacity, rng.random() < 0.88))
            agents.append((agent_id, level, months))
            self.agent_names[agent_id] = self.user_names[user_id]
            agent_id += 1
        BulkWriter(Agent, ["id", "user_id", "level", "tenure_start", "capacity", "on_shift"]).write(
            rows
        )

        seniors = [a for a, level, _ in agents if level == AgentLevel.SENIOR]
        l2 = [a for a, level, _ in agents if level == AgentLevel.L2]
        seasoned_l1 = [a for a, level, m in agents if level == AgentLevel.L1 and m >= 6]
        tier1_size = max(5, len(seniors) // 2)
        pools = [
            ("Tier 1 senior pool", Tier.STRATEGIC, seniors[:tier1_size]),
            ("Enterprise L2 pool", Tier.ENTERPRISE, l2 + seniors[tier1_size:]),
            ("Premium pool", Tier.PREMIUM, seasoned_l1 + l2[: len(l2) // 3]),
        ]
        leads = self.staff[Role.LEAD]
        pool_id, member_id = next_id(AgentPool), next_id(AgentPool.members.through)
        pool_rows, member_rows = [], []
        for i, (name, tier, members) in enumerate(pools):
            pool_rows.append((pool_id, name, tier, leads[i % len(leads)]))
            for agent in members:
                member_rows.append((member_id, pool_id, agent))
                member_id += 1
            pool_id += 1
        BulkWriter(AgentPool, ["id", "name", "tier", "lead_id"]).write(pool_rows)
        BulkWriter(AgentPool.members.through, ["id", "agentpool_id", "agent_id"]).write(member_rows)

        # One senior in the Tier 1 pool is off now, another agent soon.
        pto_id = next_id(PtoPeriod)
        pto = [(pto_id, seniors[1], self.today - timedelta(days=2), self.today + timedelta(5))]
        away = rng.sample(l2 + seasoned_l1, k=min(len(l2 + seasoned_l1), max(1, len(agents) // 15)))
        for i, agent in enumerate(away, start=1):
            starts = self.today + timedelta(days=rng.randint(7, 40))
            pto.append((pto_id + i, agent, starts, starts + timedelta(days=rng.randint(2, 10))))
        BulkWriter(PtoPeriod, ["id", "agent_id", "starts", "ends", "note"]).write(
            (*row, "Vacation") for row in pto
        )

        # Who may have answered a historical ticket of each tier (SPEC "Assignment").
        self.eligible_agents = {
            Tier.STRATEGIC: seniors[:tier1_size],
            Tier.ENTERPRISE: l2 + seniors,
            Tier.PREMIUM: seasoned_l1 + l2 + seniors,
            Tier.STANDARD: [a for a, _, _ in agents],
        }
        self.say(f"  agents: {len(agents):,} in {len(pools)} pools, {len(pto)} on PTO")

    # ---------------------------------------------------------------- accounts

    ACCOUNT_FIELDS = [
        "id", "name", "plan", "arr", "contract_start", "renewal_date", "csm_id",
        "account_manager_id", "executive_sponsor", "strategic", "executive_review", "nps",
        "previous_nps", "weekly_active_users", "usage_trend_pct", "expansion_opportunity",
        "churned_at",
    ]  # fmt: skip

    def company_name(self, rng: random.Random, taken: set[str]) -> str:
        for _ in range(50):
            name = f"{rng.choice(text.COMPANY_WORDS)} {rng.choice(text.SECTORS)}"
            if rng.random() < 0.25:
                name += f" {rng.choice(text.REGIONS)}"
            name = name.replace("-", " ") + rng.choice(text.LEGAL_SUFFIXES)
            if name not in taken:
                taken.add(name)
                return name
        name = f"{name} {len(taken)}"
        taken.add(name)
        return name

    def account_domain(self, name: str, taken: set[str]) -> str:
        base = slug(re.sub(r" (Inc\.|Ltd|GmbH|Group|Co\.|AG|LLC|BV)$", "", name))
        domain, n = f"{base}.example", 2
        while domain in taken:
            domain, n = f"{base}{n}.example", n + 1
        taken.add(domain)
        return domain

    def random_arr(self, rng: random.Random) -> int:
        u = rng.random()
        if u < 0.012:
            arr = rng.uniform(500_000, 2_500_000)
        elif u < 0.07:
            arr = rng.uniform(100_000, 500_000)
        elif u < 0.17:
            arr = rng.uniform(50_000, 100_000)
        else:
            arr = min(49_900, rng.lognormvariate(math.log(14_000), 0.6))
        return max(1_200, int(arr // 100 * 100))

    def usage_history(self, rng: random.Random, arr: int, plan: AccountPlan) -> list[tuple]:
        """(week, active users) for the complete weeks of the year, oldest first: a
        seat-sized level with a slow drift and noise, minus what trouble takes away."""
        seats = clamp(int(arr / 450), 5, 25_000)
        level = seats * rng.uniform(0.45, 0.85)
        drift = rng.uniform(-0.004, 0.006)
        rows = []
        for week, middle in self.usage_weeks:
            level = max(1.0, level * (1 + drift + rng.uniform(-0.03, 0.03)))
            rows.append((week, max(1, int(level * (1 - 0.6 * plan.intensity(middle))))))
        return rows

    def nps_history(self, rng: random.Random, plan: AccountPlan, story=None) -> list[tuple]:
        """(date, score) of the quarterly NPS survey, oldest first; a story account's
        last two answers are its story's."""
        if story is None and rng.random() > 0.85:
            return []  # never answered
        base = rng.randint(-20, 80)
        offset = rng.randint(1, 90)
        dates = [
            self.today - timedelta(days=offset + 91 * k) for k in range(NPS_POINTS - 1, -1, -1)
        ]
        points = []
        for day in dates:
            at = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
            score = base + rng.randint(-8, 8) - int(70 * plan.intensity(at))
            points.append((day, clamp(score, -100, 100)))
        if story:
            *_, nps, previous = story
            points[-2:] = [(points[-2][0], previous), (points[-1][0], nps)]
        return points

    def account_row(self, rng, account_id, name, domain, story=None):
        bands = self.bands
        if story:
            _, arr, renew_days, strategic, review, at_risk, _, _ = story
        else:
            arr = self.random_arr(rng)
            renew_days = rng.randint(1, 548)
            strategic, review = rng.random() < 0.004, rng.random() < 0.004
        trouble = draw_trouble(rng, self.now, at_risk if story else None)
        tier = tier_for(Decimal(arr), strategic, review, bands).tier
        renewal = self.today + timedelta(days=renew_days)
        years = rng.randint(1, 3)
        while renewal - timedelta(days=365 * years) > self.today:
            years += 1
        contract_start = renewal - timedelta(days=365 * years)
        vip = tier != Tier.STANDARD
        if story:
            csm = self.users["csm"]
        elif vip or rng.random() < 0.6:
            csm = rng.choice(self.staff[Role.CSM])
        else:
            csm = None
        manager = rng.choice(self.staff["account manager"])
        sponsor = ""
        if vip:
            first, last = self.person_name(rng)
            sponsor = f"{first} {last}, {rng.choice(text.SPONSOR_TITLES)}"
        expansion = int(arr * rng.uniform(0.1, 0.6)) // 1000 * 1000 if rng.random() < 0.25 else 0
        plan = AccountPlan(account_id, name, domain, tier, trouble, csm)
        if not story and trouble is None and rng.random() < OUT_OF_THE_BLUE_SHARE:
            plan.blue_escalation_at = self.now - timedelta(days=rng.uniform(0, HISTORY_DAYS))
        usage = self.usage_history(rng, arr, plan)
        nps = self.nps_history(rng, plan, story)
        series = [users for _, users in usage[-USAGE_WEEKS_SHOWN:]]
        recent, before = series[-4:], series[-8:-4]
        trend = usage_trend_pct(sum(recent) / 4, 4, sum(before) / 4, 4)
        latest = nps[-1][1] if nps else None
        previous = nps[-2][1] if len(nps) > 1 else None
        row = (
            account_id, name, rng.choice(text.PLANS_BY_TIER[tier]), Decimal(arr), contract_start,
            renewal, csm, manager, sponsor, strategic, review, latest, previous, series, trend,
            Decimal(expansion), plan.churned_at(self.now),
        )  # fmt: skip
        return plan, row, usage, nps

    def create_accounts(self) -> None:
        self.bands = current_bands()
        # Names and domains must be unique: drawn one after another, before the chunks.
        rng = self.rng("account names")
        taken_names = {s[0] for s in STORY_ACCOUNTS}
        taken_domains: set[str] = set()
        self.identities = []  # (name, domains) of each account, in order
        for i in range(self.n_accounts):
            story = STORY_ACCOUNTS[i] if i < len(STORY_ACCOUNTS) else None
            name = story[0] if story else self.company_name(rng, taken_names)
            domains = [self.account_domain(name, taken_domains)]
            if rng.random() < 0.1:  # a second e-mail domain, e.g. a subsidiary
                domains.append(self.account_domain(f"{name} group", taken_domains))
            self.identities.append((name, domains))
        self.company_names = taken_names
        self.first_account_id, first_domain_id = next_id(Account), next_id(AccountDomain)
        self.first_usage_id, self.first_nps_id = next_id(UsagePoint), next_id(NpsPoint)
        self.chunk_domain_ids = [first_domain_id]  # the first domain id of each chunk
        for start in range(0, self.n_accounts, ACCOUNT_CHUNK):
            domains = sum(len(d) for _, d in self.identities[start : start + ACCOUNT_CHUNK])
            self.chunk_domain_ids.append(self.chunk_domain_ids[-1] + domains)
        first_week = self.last_week - timedelta(weeks=USAGE_WEEKS - 1)
        weeks = [first_week + timedelta(weeks=i) for i in range(USAGE_WEEKS)]
        self.usage_weeks = [  # each week with its middle, when trouble is measured
            (week, datetime.combine(week, datetime.min.time(), tzinfo=UTC) + timedelta(days=3))
            for week in weeks
        ]
        writers = [
            BulkWriter(Account, self.ACCOUNT_FIELDS),
            BulkWriter(AccountDomain, ["id", "account_id", "domain"]),
            BulkWriter(UsagePoint, ["id", "account_id", "week", "active_users"]),
            BulkWriter(NpsPoint, ["id", "account_id", "date", "score"]),
        ]
        progress = Progress(self.stdout, "accounts", self.n_accounts)

        def add(plans: list[AccountPlan]) -> None:
            self.plans.extend(plans)
            if len(self.plans) == self.n_accounts or len(self.plans) % 20_000 == 0:
                progress.report(len(self.plans))

        chunks = math.ceil(self.n_accounts / ACCOUNT_CHUNK)
        peak = load_chunks(
            self.account_chunk, chunks, writers, add, rebuild=self.n_accounts >= LARGE_LOAD,
            workers=self.workers,
        )  # fmt: skip
        self.workers_peak_kib = max(self.workers_peak_kib, peak)
        del self.identities, self.chunk_domain_ids  # the workers of later phases need neither

    def account_chunk(self, chunk: int) -> tuple[list, list[AccountPlan]]:
        """The rows of the chunk's accounts, their domains and history, from the chunk's
        own random stream; each account has a block of USAGE_WEEKS usage and
        NPS_POINTS NPS ids."""
        rng = self.rng(f"accounts:{chunk}")
        accounts, domains, usage, nps, plans = [], [], [], [], []
        domain_id = self.chunk_domain_ids[chunk]
        start = chunk * ACCOUNT_CHUNK
        for i in range(start, min(start + ACCOUNT_CHUNK, self.n_accounts)):
            account_id = self.first_account_id + i
            story = STORY_ACCOUNTS[i] if i < len(STORY_ACCOUNTS) else None
            name, account_domains = self.identities[i]
            plan, row, weekly, quarterly = self.account_row(
                rng, account_id, name, account_domains[0], story
            )
            usage_id = self.first_usage_id + i * USAGE_WEEKS
            nps_id = self.first_nps_id + i * NPS_POINTS
            usage.extend((usage_id + n, account_id, *point) for n, point in enumerate(weekly))
            nps.extend((nps_id + n, account_id, *point) for n, point in enumerate(quarterly))
            plans.append(plan)
            accounts.append(row)
            for domain in account_domains:
                domains.append((domain_id, account_id, domain))
                domain_id += 1
        return [accounts, domains, usage, nps], plans

    # ---------------------------------------------------------------- contacts

    CONTACTS_PER_TIER = {1: (6, 10), 2: (4, 7), 3: (3, 5), 4: (2, 4)}

    def contact_identity(self, contact_id: int, position: int, plan: AccountPlan):
        """(name, email, title) of a contact, computed from its id so tickets can name
        their requester without keeping every contact in memory. First names differ
        within an account, so e-mail addresses are unique."""
        first = self.first_names[(contact_id * 7919 + self.seed) % len(self.first_names)]
        last = self.last_names[(contact_id * 104_729 // 7 + self.seed * 31) % len(self.last_names)]
        if position == 0:
            title = text.EXECUTIVE_TITLES[(contact_id + self.seed) % len(text.EXECUTIVE_TITLES)]
        elif position == 1:
            title = text.CHAMPION_TITLES[(contact_id + self.seed) % len(text.CHAMPION_TITLES)]
        elif position == 2 and plan.tier == Tier.STRATEGIC:
            title = text.BOARD_TITLES[(contact_id + self.seed) % len(text.BOARD_TITLES)]
        else:
            title = text.ORDINARY_TITLES[(contact_id * 31 + self.seed) % len(text.ORDINARY_TITLES)]
        return f"{first} {last}", f"{name_slug(first)}.{name_slug(last)}@{plan.domain}", title

    def create_contacts(self) -> None:
        rng = self.rng("contacts")
        writer = BulkWriter(
            Contact,
            ["id", "account_id", "name", "email", "title", "is_executive", "is_champion",
             "last_contacted_at"],
        )  # fmt: skip
        executive = {}  # title -> bool, computed once per title
        contact_id = next_id(Contact)
        total = 0
        progress = Progress(self.stdout, "contacts", 0)
        rebuild = len(self.plans) >= LARGE_LOAD
        with BackgroundLoad([Contact], rebuild) as load:
            for start in range(0, len(self.plans), CONTACT_CHUNK):
                rows = []
                for plan in self.plans[start : start + CONTACT_CHUNK]:
                    low, high = self.CONTACTS_PER_TIER[plan.tier]
                    plan.first_contact_id, plan.contacts = contact_id, rng.randint(low, high)
                    for position in range(plan.contacts):
                        name, email, title = self.contact_identity(contact_id, position, plan)
                        if title not in executive:
                            executive[title] = is_executive_title(title)
                        champion = position == 1
                        # A champion's last call is before trouble began, if it did.
                        last_contacted = None
                        if champion:
                            last_contacted = self.now - timedelta(days=rng.randint(1, 40))
                            if plan.trouble and plan.trouble.onset < last_contacted:
                                quiet = timedelta(days=rng.uniform(1, 20))
                                last_contacted = plan.trouble.onset - quiet
                        rows.append(
                            (contact_id, plan.id, name, email, title, executive[title], champion,
                             last_contacted)
                        )  # fmt: skip
                        contact_id += 1
                load.submit(writer.write, rows)
                total += len(rows)
        progress.total = total
        progress.report(total)

    # ---------------------------------------------------------------- tickets

    TICKET_FIELDS = [
        "id", "source", "external_id", "account_id", "contact_id", "requester_name",
        "requester_email", "requester_title", "organization_name", "subject", "body", "tags",
        "customer_priority", "status", "created_at", "first_response_at", "resolved_at",
        "updated_at", "assigned_agent_id", "csat", "churn_signals", "churn_points", "sentiment",
        # routing, filled in for solved/closed tickets only
        "routed", "routed_at", "tier", "effective_priority", "queue", "sla_first_response_due",
        "sla_resolution_due", "first_response_breached_at", "resolution_breached_at",
        "routing_reasons",
        # summed up from the ticket's messages (customer_message_stats)
        "customer_messages", "customer_message_chars", "first_customer_message_at",
        "last_customer_message_at",
    ]  # fmt: skip
    MESSAGE_FIELDS = ["id", "ticket_id", "author", "author_name", "body", "created_at"]

    def load_policies(self) -> None:
        # The router's own policies and rules: SLA matrix, calendars, churn phrases.
        self.policies = load_policies()
        self.sentence_signals = {
            sentence: churn.detect(sentence, self.policies.churn_phrases, False).signals
            for sentence in text.DIRECT_CHURN + text.INDIRECT_CHURN + text.NEGATED_CHURN
        }
        categories = list(text.CATEGORIES)
        self.categories = categories
        self.category_weights = list(accumulate(text.CATEGORIES[c][0] for c in categories))
        # Ticket volume per account grows with its size; unhappy accounts write more.
        weights = []
        for plan in self.plans:
            weight = {1: 12, 2: 6, 3: 3, 4: 1}[plan.tier]
            weights.append(weight * (1 + plan.trouble.strength if plan.trouble else 1.0))
        total = sum(weights)
        # About how much trouble intensity the tickets carry on average: a share of a
        # troubled account's tickets falls in its spell, where intensity averages about
        # 2/3 of the strength; churn language at full intensity is `risky`.
        mean_intensity = (
            sum(
                w * TROUBLE_TICKET_SHARE * p.trouble.strength**2 * 2 / 3
                for w, p in zip(weights, self.plans, strict=True)
                if p.trouble
            )
            / total
        )
        self.cum_weights = list(accumulate(weights))
        self.churn_rates = {}
        for name, rate in (("direct", DIRECT_CHURN_RATE), ("indirect", INDIRECT_CHURN_RATE)):
            risky = min(0.6, rate * 12)
            normal = max(0.0, (rate - mean_intensity * risky) / (1 - mean_intensity))
            self.churn_rates[name] = (normal, risky)

    def sentiment(self, key: tuple, sentence: str) -> float | None:
        """Routing's sentiment score, cached per template combination (0.25 ms per call)."""
        if key not in self._sentiment_cache:
            self._sentiment_cache[key] = churn.sentiment(sentence)
        return self._sentiment_cache[key]

    def created_at(self, rng: random.Random, plan: AccountPlan | None) -> datetime:
        """Spread over the year; an account in trouble writes a share of its tickets
        during the trouble, more and more as it builds up; a churned one stops."""
        trouble = plan.trouble if plan else None
        for _ in range(2):  # fewer tickets at weekends
            end = min(trouble.end, self.now) if trouble else None
            if (
                trouble
                and end > trouble.onset
                and rng.random() < TROUBLE_TICKET_SHARE * trouble.strength
            ):
                created = trouble.onset + (end - trouble.onset) * math.sqrt(rng.random())
            else:
                created = self.now - timedelta(days=HISTORY_DAYS * rng.random())
            churned = plan.churned_at(self.now) if plan else None
            if churned and created >= churned:
                created = churned - (created - churned) % (churned - trouble.onset)
            if created.weekday() < 5 or rng.random() < 0.4:
                break
        return created.replace(microsecond=0)

    def status_for_age(self, rng: random.Random, age_days: float) -> str:
        for oldest, statuses, cum_weights in STATUS_BY_AGE:
            if age_days < oldest:
                return rng.choices(statuses, cum_weights=cum_weights)[0]
        raise AssertionError("STATUS_BY_AGE ends with infinity")

    def fill(self, rng: random.Random, template: str) -> str:
        """The template with its {placeholders} drawn at random (only those it uses)."""
        names = TEMPLATE_FIELDS.get(template)
        if names is None:
            parsed = string.Formatter().parse(template)
            names = TEMPLATE_FIELDS[template] = tuple(
                dict.fromkeys(f for _, f, _, _ in parsed if f)
            )
        if not names:
            return template
        values = {name: PLACEHOLDERS[name](rng) for name in names if name != "seats2"}
        if "seats2" in names:  # fewer than {seats}
            values["seats2"] = max(1, values["seats"] - rng.randint(1, 5))
        return template.format(**values)

    def churn_sentence(self, rng: random.Random, intensity: float) -> tuple[str, str]:
        """("direct"|"indirect"|"negated"|"", sentence) at the configured rates, rising
        with the trouble's intensity."""
        u = rng.random()
        normal, risky = self.churn_rates["direct"]
        direct = normal + (risky - normal) * intensity
        normal, risky = self.churn_rates["indirect"]
        indirect = normal + (risky - normal) * intensity
        if u < direct:
            return "direct", rng.choice(text.DIRECT_CHURN)
        if u < direct + indirect:
            return "indirect", rng.choice(text.INDIRECT_CHURN)
        if u < direct + indirect + NEGATED_CHURN_RATE:
            return "negated", rng.choice(text.NEGATED_CHURN)
        return "", ""

    def requester(self, rng: random.Random, plan: AccountPlan | None, champion_silent=False):
        """(contact_id, name, email, title, organization) of who wrote in; a silent
        champion leaves it to the others."""
        if plan is None:
            first, last = self.person_name(rng)
            organization = f"{rng.choice(text.COMPANY_WORDS)} {rng.choice(text.SECTORS)}"
            if organization in self.company_names:
                organization += " Holdings"
            email = f"{name_slug(first)}.{name_slug(last)}@personal-mail.example"
            return None, f"{first} {last}", email, "", organization.replace("-", " ")
        first_ordinary = 3 if plan.tier == Tier.STRATEGIC else 2  # Tier 1's #2 is on the board
        u = rng.random()
        if u < 0.02:
            position = 0  # an executive writes in
        elif (u < 0.35 and not champion_silent) or plan.contacts <= first_ordinary:
            position = 1  # the champion
        else:
            position = rng.randint(first_ordinary, plan.contacts - 1)
        contact_id = plan.first_contact_id + position
        name, email, title = self.contact_identity(contact_id, position, plan)
        return contact_id, name, email, title, plan.name

    def ticket(self, rng, ticket_id, plan, message_id, escalation_ticket) -> tuple:
        """One ticket row and its message rows (at most MESSAGES_PER_TICKET); a P1/P2
        showing trouble becomes its account's entry in `escalation_ticket`."""
        tier = plan.tier if plan else Tier.STANDARD
        created = self.created_at(rng, plan)
        intensity = plan.intensity(created) if plan else 0.0
        troubled = rng.random() < intensity  # this ticket shows the trouble
        age_days = (self.now - created).total_seconds() / 86400
        category = rng.choices(self.categories, cum_weights=self.category_weights)[0]
        _, priority_weights, subjects, problems, replies = text.CATEGORIES[category]
        if troubled:  # severity escalating
            p1, p2, *rest = priority_weights
            priority_weights = (p1 + 10, p2 + 20, *rest)
        priority = rng.choices(("P1", "P2", "P3", "P4"), priority_weights)[0]
        contact_id, name, email, title, organization = self.requester(
            rng, plan, champion_silent=intensity > 0.25
        )

        problem_index = rng.randrange(len(problems))
        problem = self.fill(rng, problems[problem_index])
        kind, churn_text = self.churn_sentence(rng, intensity)
        first_name = name.split()[0]
        if troubled:  # disengaged: short and to the point
            body = f"{problem} {churn_text}".strip()
        else:
            detail = self.fill(rng, rng.choice(text.DETAILS))
            churn_part = f" {churn_text}" if churn_text else ""
            body = (
                f"{rng.choice(text.GREETINGS)}\n\n{problem}{detail}{churn_part}\n\n"
                f"{rng.choice(text.CLOSINGS)}\n{first_name}"
            )
        subject = self.fill(rng, rng.choice(subjects))

        status = self.status_for_age(rng, age_days)
        rule = self.policies.sla[(tier, priority)]
        first_minutes, resolution_minutes = rule.first_response_minutes, rule.resolution_minutes
        slowness = 1.0 + 0.6 * intensity
        first_response = created + timedelta(
            minutes=first_minutes * rng.lognormvariate(-0.7, 0.6) * slowness
        )
        resolved = first_response + timedelta(
            minutes=resolution_minutes * rng.lognormvariate(-1.3, 0.7) * slowness
        )
        if status in CLOSED and resolved > self.now:
            status = Ticket.Status.OPEN
        if status == Ticket.Status.NEW or first_response > self.now:
            status, first_response = Ticket.Status.NEW, None
        if status not in CLOSED:
            resolved = None
        # Whoever answered; solved and closed tickets stay with them, open ones are
        # left for the router to assign (and so honour the VIP share cap).
        responder = rng.choice(self.eligible_agents[tier]) if first_response else None
        agent = responder if status in CLOSED else None
        csat = None
        if status in CLOSED and rng.random() < 0.6:
            weights = (20, 25, 25, 20, 10) if troubled else (2, 3, 10, 35, 50)
            csat = rng.choices((1, 2, 3, 4, 5), weights)[0]
        signals, points, sentiment, routing = [], 0, None, NOT_ROUTED
        if status in CLOSED:  # what routing found when the ticket arrived
            routing = self.history_routing(plan, priority, created, first_response, resolved)
            signals = self.sentence_signals.get(churn_text, [])
            points = min(100, sum(s["weight"] for s in signals))
            key = (category, problem_index, churn_text)
            sentiment = self.sentiment(key, f"{problems[problem_index]} {churn_text}")
        updated = resolved or first_response or created

        row = (
            ticket_id, Ticket.Source.DEMO, f"DEMO-{ticket_id:07d}", plan.id if plan else None,
            contact_id, name, email, title, organization, subject, body, ["demo", category],
            priority, status, created, first_response, resolved, updated, agent, csat, signals,
            points, sentiment, *routing,
        )  # fmt: skip
        messages = [(next(message_id), ticket_id, "customer", name, body, created)]
        if first_response:
            agent_name = self.agent_names[responder]
            reply = f"Hi {first_name},\n\n{rng.choice(replies)}"
            if rng.random() < 0.04:
                reply += f"\n\n{text.AGENT_DOWNGRADE_OFFER}"
            reply += f"\n\nBest,\n{agent_name}"
            messages.append(
                (next(message_id), ticket_id, "agent", agent_name, reply, first_response)
            )
            if rng.random() < 0.45:
                at = first_response + timedelta(hours=rng.uniform(1, 20))
                if at < (resolved or self.now):
                    pool = text.SHORT_FOLLOW_UPS if troubled else text.FOLLOW_UPS
                    follow_up = rng.choice(pool)
                    if rng.random() < 0.4:
                        quoted = "\n".join(f"> {line}" for line in reply.splitlines())
                        follow_up += (
                            f"\n\nOn {first_response:%a, %d %b %Y at %H:%M}, {agent_name} "
                            f"wrote:\n{quoted}"
                        )
                    messages.append((next(message_id), ticket_id, "customer", name, follow_up, at))
            if resolved and rng.random() < 0.5:
                closing = f"{rng.choice(text.AGENT_CLOSINGS)}\n\n{agent_name}"
                messages.append(
                    (next(message_id), ticket_id, "agent", agent_name, closing, resolved)
                )
        if plan and troubled and priority in ("P1", "P2"):
            escalation_ticket[plan.id] = ticket_id
        return (*row, *message_stats(messages)), messages

    def create_tickets(self) -> None:
        ticket_writer = BulkWriter(Ticket, self.TICKET_FIELDS)
        message_writer = BulkWriter(TicketMessage, self.MESSAGE_FIELDS)
        self.first_ticket_id, self.first_message_id = next_id(Ticket), next_id(TicketMessage)
        self.chunked_tickets = total = max(0, self.n_tickets - STORY_TICKETS)
        chunks = math.ceil(total / TICKET_CHUNK)
        progress = Progress(self.stdout, "tickets", total)
        counts = [0, 0]  # tickets, messages

        def add(result) -> None:
            tickets, messages, escalation_ticket = result
            self.escalation_ticket.update(escalation_ticket)  # the latest chunk's wins
            counts[0] += tickets
            counts[1] += messages
            if counts[0] == total or counts[0] % (10 * TICKET_CHUNK) == 0:
                progress.report(counts[0])

        writers = [ticket_writer, message_writer]
        peak = load_chunks(
            self.ticket_chunk, chunks, writers, add, rebuild=total >= LARGE_LOAD,
            workers=self.workers,
        )  # fmt: skip
        self.workers_peak_kib = max(self.workers_peak_kib, peak)
        self.say(f"  messages: {counts[1]:,}")
        ticket_id = self.first_ticket_id + total
        message_id = _counter(self.first_message_id + chunks * TICKET_CHUNK * MESSAGES_PER_TICKET)
        with transaction.atomic():
            self.create_story_tickets(ticket_writer, message_writer, ticket_id, message_id)

    def ticket_chunk(self, chunk: int) -> tuple[list, tuple]:
        """The rows of the chunk's tickets and messages, from the chunk's own random
        stream: ticket ids follow on, message ids start at the chunk's reserved block."""
        rng = self.rng(f"tickets:{chunk}")
        start = chunk * TICKET_CHUNK
        size = min(TICKET_CHUNK, self.chunked_tickets - start)
        ticket_id = self.first_ticket_id + start
        message_id = _counter(self.first_message_id + start * MESSAGES_PER_TICKET)
        escalation_ticket: dict[int, int] = {}
        tickets, messages = [], []
        for plan in rng.choices(self.plans, cum_weights=self.cum_weights, k=size):
            if rng.random() < UNMATCHED_SHARE:
                plan = None
            row, rows = self.ticket(rng, ticket_id, plan, message_id, escalation_ticket)
            tickets.append(row)
            messages.extend(rows)
            ticket_id += 1
        return [tickets, messages], (size, len(messages), escalation_ticket)

    def create_story_tickets(self, ticket_writer, message_writer, ticket_id, message_id) -> None:
        """The SPEC's story: Northwind's $12 billing question, just in, with a renewal in
        41 days, plus an executive writing in. Left for the router, like all open tickets."""
        northwind = self.plans[0]
        tyrell = self.plans[4]
        stories = [
            (northwind, 4, "P4", "$12 charge we do not recognise on invoice INV-20931",
             "Hi team,\n\nThere is a $12 charge on our last invoice that nobody here "
             "recognises. Could you tell us what it is for?\n\nThanks,\n", timedelta(hours=3)),
            (tyrell, 0, "P3", "Quick question about SSO setup",
             "Hello,\n\nBefore we roll out to the whole company: does SSO support more than "
             "one identity provider?\n\nBest regards,\n", timedelta(minutes=40)),
        ]  # fmt: skip
        tickets, messages = [], []
        for plan, position, priority, subject, body, age in stories:
            contact_id = plan.first_contact_id + min(position, plan.contacts - 1)
            name, email, title = self.contact_identity(contact_id, position, plan)
            body += name.split()[0]
            created = (self.now - age).replace(microsecond=0)
            tickets.append(
                (ticket_id, Ticket.Source.DEMO, f"DEMO-{ticket_id:07d}", plan.id, contact_id,
                 name, email, title, plan.name, subject, body, ["demo", "story"], priority,
                 Ticket.Status.NEW, created, None, None, created, None, None, [], 0, None,
                 *NOT_ROUTED, *message_stats([(0, ticket_id, "customer", name, body, created)]))
            )  # fmt: skip
            messages.append((next(message_id), ticket_id, "customer", name, body, created))
            ticket_id += 1
        ticket_writer.write(tickets)
        message_writer.write(messages)

    # ---------------------------------------------------------------- history

    def history_routing(self, plan, priority, created, first_response, resolved) -> tuple:
        """Routing fields of a solved or closed ticket, as the router set them when it
        arrived: tier from the account, queue and due times from the SLA matrix on its
        calendar (business hours or 24/7, vipdesk/lib/business_hours.py). Written
        with the ticket (cheaper than a second pass over millions of rows)."""
        if plan is None:
            return (True, created, None, priority, "unmatched", None, None, None, None,
                    HISTORY_REASONS)  # fmt: skip
        rule = self.policies.sla[(plan.tier, priority)]
        calendar = self.policies.calendar(rule.calendar, rule.tier)
        first_due = add_minutes(created, rule.first_response_minutes, calendar)
        resolution_due = add_minutes(created, rule.resolution_minutes, calendar)
        first_breached = first_due if first_response and first_response > first_due else None
        resolution_breached = resolution_due if resolved and resolved > resolution_due else None
        return (True, created, plan.tier, priority, rule.queue, first_due, resolution_due,
                first_breached, resolution_breached, HISTORY_REASONS)  # fmt: skip

    def create_escalations(self) -> None:
        """Escalations with the events their times imply; an account's open escalations
        are of different types (the de-duplication rule: never two open of one type)."""
        rng = self.rng("escalations")
        types = list(text.ESCALATION_SUMMARIES)
        S = Escalation.Status
        rows, links, events = [], [], []
        escalation_id = next_id(Escalation)
        link_id = next_id(Escalation.tickets.through)
        for plan in self.plans:
            story = plan.id in (self.plans[0].id, self.plans[2].id)
            open_types: set[str] = set()
            for n, opened in enumerate(self.escalation_times(rng, plan, story)):
                kind = rng.choices(types, (45, 20, 20, 10, 5))[0]
                severity = rng.choices(("critical", "high", "medium", "low"), (10, 35, 40, 15))[0]
                if story and n == 0:
                    status = S.ACKNOWLEDGED
                elif (self.now - opened).days > 20 and rng.random() < 0.8:
                    status = rng.choice(Escalation.CLOSED_STATUSES)
                else:
                    status = rng.choice((S.OPEN, S.ACKNOWLEDGED))
                if status not in Escalation.CLOSED_STATUSES and kind in open_types:
                    kind = rng.choice([t for t in types if t not in open_types])
                if status not in Escalation.CLOSED_STATUSES:
                    open_types.add(kind)
                acknowledged = opened + timedelta(minutes=rng.uniform(10, 180))
                if status == S.OPEN or acknowledged > self.now:
                    acknowledged = None
                ended = None
                if status in Escalation.CLOSED_STATUSES:
                    ended = min(opened + timedelta(days=rng.uniform(1, 14)), self.now)
                resolved, closed = (ended, None) if status == S.RESOLVED else (None, ended)
                rows.append(
                    (escalation_id, plan.id, kind, severity, status,
                     rng.choice(text.ESCALATION_SUMMARIES[kind]), plan.csm_id, rng.randint(0, 2),
                     opened, acknowledged, resolved, closed)
                )  # fmt: skip
                events.append((escalation_id, opened, "opened", "", S.OPEN, "Escalation opened."))
                before = S.OPEN
                if acknowledged:
                    events.append((escalation_id, acknowledged, "status", S.OPEN, S.ACKNOWLEDGED,
                                   "Acknowledged."))  # fmt: skip
                    before = S.ACKNOWLEDGED
                if ended:
                    events.append((escalation_id, ended, "status", before, status,
                                   f"{S(status).label}."))  # fmt: skip
                if plan.id in self.escalation_ticket:
                    links.append((link_id, escalation_id, self.escalation_ticket[plan.id]))
                    link_id += 1
                escalation_id += 1
        BulkWriter(
            Escalation,
            ["id", "account_id", "type", "severity", "status", "summary", "owner_id", "level",
             "opened_at", "acknowledged_at", "resolved_at", "closed_at"],
        ).write(rows)  # fmt: skip
        BulkWriter(Escalation.tickets.through, ["id", "escalation_id", "ticket_id"]).write(links)
        BulkWriter(
            EscalationEvent, ["escalation_id", "at", "kind", "from_value", "to_value", "text"]
        ).write(events)
        self.say(f"  escalations: {len(rows):,}")

    def escalation_times(self, rng: random.Random, plan: AccountPlan, story: bool) -> list:
        """When the account's escalations opened: the story's two (one days ago), the end
        of a trouble spell that escalated, one out of the blue."""
        if story:
            return [
                self.now - timedelta(days=rng.uniform(0.2, 6)),
                self.now - timedelta(days=rng.uniform(0.2, 120)),
            ]
        times = []
        t = plan.trouble
        if t and t.outcome == "escalation" and t.outcome_at <= self.now:
            times.append(t.outcome_at)
        if plan.blue_escalation_at:
            times.append(plan.blue_escalation_at)
        return times

    def create_notes(self) -> None:
        rng = self.rng("notes")
        rows, note_id = [], next_id(CsmNote)
        for plan in self.plans:
            if plan.csm_id is None or not (plan.at_risk or plan.id <= self.plans[6].id):
                continue
            for _ in range(rng.randint(1, 2) if rng.random() < 0.5 else 0):
                body = self.fill(rng, rng.choice(text.CSM_NOTES))
                at = self.now - timedelta(days=rng.uniform(1, 90))
                rows.append((note_id, plan.id, plan.csm_id, body, at))
                note_id += 1
        BulkWriter(CsmNote, ["id", "account_id", "author_id", "body", "created_at"]).write(rows)
        self.say(f"  CSM notes: {len(rows):,}")


def flush(stdout=None) -> None:
    """Delete accounts, contacts, tickets, agents, pools, escalations, alerts, tasks and
    the demo staff; policies and other users stay."""
    stdout = stdout or _Silent()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            tables = [
                m._meta.db_table
                for m in (Account, Ticket, InboxDelivery, Agent, AgentPool, Escalation, Task)
            ]
            with connection.cursor() as cursor:
                # Check deferred foreign keys now: TRUNCATE refuses pending trigger events.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            for model in (
                Escalation,
                Alert,
                Task,
                TicketMessage,
                Ticket,
                InboxDelivery,
                AgentPool,
                Agent,
                Account,
            ):
                model.objects.all().delete()
        User.objects.filter(email__endswith=f"@{STAFF_EMAIL_DOMAIN}").delete()
    stdout.write("Deleted the existing accounts, tickets, agents and demo staff.")


def finish(stdout) -> None:
    """Run after the data is in: route the open tickets, score every account and create
    the follow-ups, check-ins, reviews and outreach, with the same code the RQ jobs run."""
    # Seeding raises real in-app alerts but e-mails nobody.
    with (
        override_settings(MAILERS={"default": {"BACKEND": DUMMY_MAILER}}),
        commits_without_waiting(),
    ):
        started = time.monotonic()
        routed = route_pending()
        stdout.write(f"Routed {routed:,} open tickets in {time.monotonic() - started:.1f} s")
        opened = open_requested_escalations()
        stdout.write(f"Opened {opened:,} escalations routing asked for")
        started = time.monotonic()
        result = rescore_all()
        stdout.write(f"Scored {result.accounts:,} accounts in {time.monotonic() - started:.1f} s")
        started = time.monotonic()
        tasks = create_missing_follow_ups() + schedule_relationship_tasks()
        stdout.write(f"Created {tasks:,} tasks in {time.monotonic() - started:.1f} s")
        # Routing and scoring rewrote rows after build()'s ANALYZE; this PostgreSQL
        # may run without autovacuum.
        analyze([Ticket, Account, Alert, Task, Escalation, EscalationEvent])


@contextmanager
def commits_without_waiting():
    """PostgreSQL's commits return before their WAL is on disk (synchronous_commit off,
    this session only). Routing commits each batch and, without Redis, delivers each
    alert inline with an UPDATE of its own: tens of thousands of commits at full size,
    each waiting for a disk flush. A crash can lose only the last few hundred
    milliseconds of commits, never consistency: tickets left pending are routed by the
    sweep, and a seed is run again with --flush."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def message_stats(rows) -> tuple:
    """The ticket's customer_message_stats from its message rows (MESSAGE_FIELDS)."""
    return tuple(customer_message_stats((r[2], r[4], r[5]) for r in rows).values())


def _counter(start: int):
    n = start
    while True:
        yield n
        n += 1


class _Silent:
    def write(self, message: str) -> None:
        pass
