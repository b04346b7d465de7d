"""Agent pools: each member's load and availability, burnout warnings, coverage, and
a breach forecast with suggested re-assignments.

`pool_board(now)` loads everything in a fixed number of queries (it never grows with
members or tickets); the rules themselves (`MemberLoad`, `forecast_breaches`) are
pure and tested without a database. The figures that scan a month of tickets (per
agent: VIP and Tier-1 tickets, slow acknowledgements, cold transfers; handling time
and accounts per tier) are computed by `refresh_figures`, a job run every minute, and
read with their age (tickets/snapshots.py); open loads and the forecast are live.

The breach forecast model, in words (shown on the page):
- the work is every open VIP ticket (Tier 1–3 or executive contact) still waiting
  for its first response; its deadline is the first-response due time;
- each available agent (on shift, not on PTO today) works their own tickets in SLA
  order, one every *average handling time* (the mean first-response time of the
  tier's tickets over the last 30 days);
- unassigned tickets go, in SLA order, to whichever eligible available member is
  free first;
- a ticket is *at risk* when its forecast start is after its due time, or when its
  agent is away; it gets a suggested re-assignment: the eligible available member
  (other than its agent) who is free soonest, then with the least open load.
"""

import heapq
import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property

from django.db.models import Avg, Count, F, Max, Q
from django.utils import timezone

from accounts.models import VIP_TIERS, Account, Tier
from tickets import snapshots
from tickets.models import (
    Agent,
    AgentLevel,
    AgentPool,
    PtoPeriod,
    Queue,
    Reassignment,
    RoutingPolicy,
    SlaPolicy,
    Ticket,
)
from tickets.staffing.capacity import OpenLoad, open_loads, over_vip_cap, vip_share_pct

DEFAULT_HANDLING = timedelta(minutes=15)
AGENT_FIELDS = ("level", "tenure_start", "vip_share_cap_pct", "capacity", "on_shift", "user")
AHT_WINDOW = timedelta(days=30)
FORECAST_LIMIT = 500
AT_RISK_SHOWN = 25


def months_between(start: date, today: date) -> int:
    months = (today.year - start.year) * 12 + today.month - start.month
    if today.day < start.day:
        months -= 1
    return max(months, 0)


@dataclass
class MemberLoad:
    agent: Agent
    open_total: int = 0
    open_vip: int = 0
    vip_this_month: int = 0
    pto: list = field(default_factory=list)
    cap_pct: int = 40
    today: date | None = None
    # This month: Tier-1 tickets, those that waited longer than the acknowledgement
    # target (RoutingPolicy.tier1_acknowledgement_minutes), and VIP tickets moved away
    # from this agent without a warm handoff.
    tier1_this_month: int = 0
    tier1_slow_acks: int = 0
    cold_transfers: int = 0
    # The properties below are cached: the page reads each several times per member.

    @cached_property
    def name(self) -> str:
        return str(self.agent)

    @cached_property
    def level_label(self) -> str:
        return AgentLevel(self.agent.level).label

    @cached_property
    def on_pto_today(self) -> PtoPeriod | None:
        for p in self.pto:
            if p.starts <= self.today <= p.ends:
                return p
        return None

    @cached_property
    def available(self) -> bool:
        return self.agent.on_shift and self.on_pto_today is None

    @cached_property
    def tenure_months(self) -> int:
        return months_between(self.agent.tenure_start, self.today)

    @cached_property
    def vip_share_pct(self) -> int | None:
        return vip_share_pct(self.open_vip, self.open_total)

    @cached_property
    def burnout_risk(self) -> bool:
        return over_vip_cap(self.open_vip, self.open_total, self.cap_pct)


@dataclass(frozen=True)
class Requirement:
    min_level: int = AgentLevel.L1
    min_tenure_months: int = 0

    @property
    def label(self) -> str:
        level = AgentLevel(self.min_level).label
        text = "Senior agents" if self.min_level == AgentLevel.SENIOR else f"{level}+ agents"
        if self.min_tenure_months:
            text += f" with ≥ {self.min_tenure_months} months tenure"
        return text

    def allows(self, member: MemberLoad) -> bool:
        return (
            member.agent.level >= self.min_level and member.tenure_months >= self.min_tenure_months
        )


@dataclass
class ForecastRow:
    ticket: Ticket
    due: datetime | None
    agent: MemberLoad | None
    start: datetime | None
    at_risk: bool
    reason: str
    suggestion: MemberLoad | None = None
    suggestion_start: datetime | None = None

    @property
    def suggestion_in_time(self) -> bool:
        return bool(self.suggestion_start and self.due and self.suggestion_start <= self.due)


class _FreeFirst:
    """The members one may hand work to, soonest free first: a heap with lazy
    deletion (an entry is current while its free time is the member's), so each pick
    costs O(log members) instead of a scan of every member. Ties go as `min()` over
    the members' order would: by `tiebreak`, then position."""

    def __init__(self, members: list[MemberLoad], free_at: dict, tiebreak: Callable):
        self.free_at, self.tiebreak = free_at, tiebreak
        self.position = {m.agent.pk: position for position, m in enumerate(members)}
        self.pushed = itertools.count()
        self.heap = []
        for m in members:
            self.push(m)

    def push(self, m: MemberLoad) -> None:
        """(Re-)enter a member at their current free time; others are ignored."""
        position = self.position.get(m.agent.pk)
        if position is not None:
            key = (self.free_at[m.agent.pk], *self.tiebreak(m), position, next(self.pushed))
            heapq.heappush(self.heap, (key, m))

    def _drop_outdated(self) -> None:
        while self.heap and self.heap[0][0][0] != self.free_at[self.heap[0][1].agent.pk]:
            heapq.heappop(self.heap)

    def first(self, other_than=None) -> MemberLoad | None:
        """The member free soonest (whose agent id is not `other_than`), or None."""
        set_aside = []
        self._drop_outdated()
        while self.heap and self.heap[0][1].agent.pk == other_than:
            set_aside.append(heapq.heappop(self.heap))
            self._drop_outdated()
        found = self.heap[0][1] if self.heap else None
        for entry in set_aside:
            heapq.heappush(self.heap, entry)
        return found


def forecast_breaches(
    tickets: Iterable[Ticket],
    members: list[MemberLoad],
    eligible: Callable[[MemberLoad], bool],
    handling: timedelta,
    now: datetime,
) -> list[ForecastRow]:
    """The breach forecast for one pool (see the module docstring). Pure, and
    O((tickets + members) · log members): the free-first member is kept in a heap."""
    by_id = {m.agent.pk: m for m in members}
    free_at = {m.agent.pk: now for m in members if m.available}
    candidates = [m for m in members if m.available and eligible(m)]
    takers = _FreeFirst(candidates, free_at, lambda m: (m.open_total,))
    tickets = sorted(
        tickets,
        key=lambda t: (t.sla_first_response_due or datetime.max.replace(tzinfo=now.tzinfo), t.pk),
    )
    rows = []
    for t in tickets:
        due = t.sla_first_response_due
        member = by_id.get(t.assigned_agent_id)
        if member is not None and not member.available:
            away = "on PTO" if member.on_pto_today else "off shift"
            rows.append(ForecastRow(t, due, member, None, True, f"{member.name} is {away}"))
            continue
        if member is None:
            if t.assigned_agent_id is None and candidates:
                member = takers.first()
                reason = f"unassigned: next free is {member.name}"
            else:
                why = (
                    "no eligible member available"
                    if t.assigned_agent_id is None
                    else ("assigned outside this pool")
                )
                rows.append(ForecastRow(t, due, None, None, t.assigned_agent_id is None, why))
                continue
        else:
            reason = f"in {member.name}'s queue"
        start = free_at[member.agent.pk]
        free_at[member.agent.pk] = start + handling
        takers.push(member)
        late = due is not None and start > due
        rows.append(ForecastRow(t, due, member, start, late, reason))
    helpers = _FreeFirst(candidates, free_at, lambda m: (m.open_total, m.name))
    for row in rows:
        if not row.at_risk:
            continue
        best = helpers.first(other_than=row.agent.agent.pk if row.agent else None)
        if best is not None:
            row.suggestion = best
            row.suggestion_start = free_at[best.agent.pk]
            free_at[best.agent.pk] += handling
            helpers.push(best)
    return rows


@dataclass
class PoolView:
    pool: AgentPool
    members: list[MemberLoad]
    accounts_of_tier: int
    requirement: Requirement
    handling: timedelta
    handling_measured: bool
    forecast: list[ForecastRow]

    @property
    def available_count(self) -> int:
        return sum(1 for m in self.members if m.available)

    @property
    def accounts_per_member(self) -> float | None:
        return self.accounts_of_tier / len(self.members) if self.members else None

    @property
    def accounts_per_available(self) -> float | None:
        n = self.available_count
        return self.accounts_of_tier / n if n else None

    @property
    def at_risk(self) -> list[ForecastRow]:
        return [r for r in self.forecast if r.at_risk]

    @property
    def at_risk_shown(self) -> list[ForecastRow]:
        """The most urgent at-risk tickets; a lead acts on these first."""
        return self.at_risk[:AT_RISK_SHOWN]

    @property
    def at_risk_hidden(self) -> int:
        return max(0, len(self.at_risk) - AT_RISK_SHOWN)

    @property
    def handling_minutes(self) -> int:
        return round(self.handling.total_seconds() / 60)


def requirements() -> dict[int, Requirement]:
    rows = SlaPolicy.objects.values("tier").annotate(
        level=Max("min_agent_level"), tenure=Max("min_tenure_months")
    )
    return {r["tier"]: Requirement(r["level"], r["tenure"]) for r in rows}


def handling_times(now: datetime) -> dict[int, timedelta]:
    rows = (
        Ticket.objects.filter(
            created_at__gte=now - AHT_WINDOW, first_response_at__isnull=False, tier__in=VIP_TIERS
        )
        .values("tier")
        .annotate(aht=Avg(F("first_response_at") - F("created_at")))
    )
    return {r["tier"]: r["aht"] for r in rows if r["aht"] and r["aht"] > timedelta(0)}


FIGURES = "pools"


def month_figures(now: datetime) -> dict:
    """The pools page's slow figures, as stored in its Snapshot (JSON): per agent this
    month their VIP tickets, Tier-1 tickets, those acknowledged later than the routing
    policy's target (or still waiting longer), and cold transfers; handling time per
    tier; accounts per tier. Each is a scan over a month of tickets at scale (5
    queries)."""
    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    ack_minutes = RoutingPolicy.load().tier1_acknowledgement_minutes
    ack = timedelta(minutes=ack_minutes)
    slow = Q(first_response_at__gt=F("created_at") + ack) | Q(
        first_response_at__isnull=True, created_at__lt=now - ack
    )
    agents = defaultdict(lambda: [0, 0, 0, 0])
    for r in (
        Ticket.objects.filter(created_at__gte=month_start)
        .vip()
        .exclude(assigned_agent=None)
        .values("assigned_agent")
        .annotate(
            vip=Count("id"),
            tier1=Count("id", filter=Q(tier=Tier.STRATEGIC)),
            slow=Count("id", filter=Q(tier=Tier.STRATEGIC) & slow),
        )
    ):
        agents[r["assigned_agent"]][:3] = [r["vip"], r["tier1"], r["slow"]]
    for agent_id, n in (
        Reassignment.objects.filter(at__gte=month_start, handoff_note__isnull=True)
        .values("from_agent")
        .annotate(n=Count("id"))
        .values_list("from_agent", "n")
    ):
        agents[agent_id][3] = n
    return {
        "month": f"{month_start:%Y-%m}",
        "ack_minutes": ack_minutes,
        "agents": {str(pk): counts for pk, counts in agents.items()},
        "handling_seconds": {
            str(tier): aht.total_seconds() for tier, aht in handling_times(now).items()
        },
        "tier_accounts": {
            str(tier): n
            for tier, n in Account.objects.values("tier")
            .annotate(n=Count("id"))
            .values_list("tier", "n")
        },
    }


def refresh_figures(now: datetime | None = None) -> None:
    """Job (vipdesk/cron.py, every minute): recompute and store the slow figures."""
    now = now or timezone.now()
    snapshots.store(FIGURES, month_figures(now), now)


def pool_board(now: datetime | None = None) -> dict:
    now = now or timezone.now()
    today = timezone.localdate(now)
    policy = RoutingPolicy.load()
    figures = snapshots.read(FIGURES, refresh_figures, now)
    slow = figures.data or {}
    month = {int(pk): counts for pk, counts in slow.get("agents", {}).items()}
    aht = {int(t): timedelta(seconds=s) for t, s in slow.get("handling_seconds", {}).items()}
    tier_counts = {int(t): n for t, n in slow.get("tier_accounts", {}).items()}

    pools = list(AgentPool.objects.select_related("lead").order_by("tier", "name"))
    memberships = list(AgentPool.members.through.objects.values_list("agentpool_id", "agent_id"))
    agents = list(
        Agent.objects.select_related("user")
        .only(*AGENT_FIELDS, "user__username", "user__first_name", "user__last_name")
        .order_by("user__first_name", "user__username")
    )
    # Two plain queries rather than lists of every agent id sent to the database.
    pto_of = defaultdict(list)
    for pto in PtoPeriod.objects.filter(ends__gte=today).order_by("starts"):
        pto_of[pto.agent_id].append(pto)
    load = open_loads()
    member_ids = {agent_id for _, agent_id in memberships}
    reqs = requirements()
    waiting = list(
        Ticket.objects.open()
        .filter(routed=True, first_response_at__isnull=True)
        .vip()
        .exclude(queue=Queue.UNMATCHED)
        # The name alone, not an Account per ticket: only the shown at-risk rows print it.
        .annotate(account_name=F("account__name"))
        .only(
            "id",
            "subject",
            "tier",
            "executive_contact",
            "effective_priority",
            "assigned_agent",
            "sla_first_response_due",
            "first_response_at",
        )
        .order_by(F("sla_first_response_due").asc(nulls_last=True), "id")[:FORECAST_LIMIT]
    )

    loads = {}
    for a in agents:
        row = load.get(a.pk, OpenLoad())
        vip, tier1, slow_acks, cold = month.get(a.pk, (0, 0, 0, 0))
        loads[a.pk] = MemberLoad(
            agent=a,
            open_total=row.total,
            open_vip=row.vip,
            vip_this_month=vip,
            tier1_this_month=tier1,
            tier1_slow_acks=slow_acks,
            cold_transfers=cold,
            pto=pto_of[a.pk],
            cap_pct=a.vip_share_cap_pct or policy.vip_share_cap_pct,
            today=today,
        )
    members_of = defaultdict(list)
    for pool_id, agent_id in memberships:
        members_of[pool_id].append(agent_id)

    views = []
    for pool in pools:
        ids = set(members_of[pool.pk])
        members = [loads[a.pk] for a in agents if a.pk in ids]
        requirement = reqs.get(pool.tier, Requirement())
        handling = aht.get(pool.tier)
        mine = [
            t
            for t in waiting
            if t.assigned_agent_id in ids
            or (t.assigned_agent_id is None and t.handling_tier == pool.tier)
        ]
        views.append(
            PoolView(
                pool=pool,
                members=members,
                accounts_of_tier=tier_counts.get(pool.tier, 0),
                requirement=requirement,
                handling=handling or DEFAULT_HANDLING,
                handling_measured=handling is not None,
                forecast=forecast_breaches(
                    mine, members, requirement.allows, handling or DEFAULT_HANDLING, now
                ),
            )
        )
    return {
        "pools": views,
        "agents": agents,
        "figures": figures,
        "ack_minutes": slow.get("ack_minutes", policy.tier1_acknowledgement_minutes),
        "policy": policy,
        "today": today,
        "forecast_truncated": len(waiting) >= FORECAST_LIMIT,
        "forecast_limit": FORECAST_LIMIT,
        # All pool members together: when this share is over the cap, the open VIP work
        # cannot be spread within it, and the members show over their caps.
        "members_load": OpenLoad(
            sum(load[pk].total for pk in member_ids if pk in load),
            sum(load[pk].vip for pk in member_ids if pk in load),
        ),
    }
