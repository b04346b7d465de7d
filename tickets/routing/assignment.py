"""Which agent gets a routed ticket: a pure rule over candidate agents.

Decisions (SPEC "Assignment", made explicit here):

- Agents on PTO today or off shift are skipped.
- Requirements come from the routing decision: Tier 1 needs a member of a Tier-1
  pool (overflow to any available senior agent when every member is busy);
  other VIP tiers need the SLA row's agent level and tenure (Tier 2: L2+,
  Tier 3: L1+ with ≥ 6 months); an executive ticket goes to the most senior
  available agent; Standard tickets to anyone.
- Busy: a non-VIP ticket counts all open tickets against the agent's capacity; a
  VIP ticket counts only open VIP tickets ("VIP pre-empts non-VIP work": an agent
  full of Standard tickets still takes a VIP one).
- VIP share cap: a VIP ticket goes to an agent only if their VIP share (VIP ÷ all
  open assigned tickets, tickets/staffing/capacity.py, the figure the pools page and
  the dashboard show) stays within their cap with it. Agents it would push over are
  skipped unless every eligible agent is; then the one with the fewest VIP tickets
  takes the ticket (a VIP ticket is never left waiting because of the cap) and the
  reason says so.
- A non-VIP ticket goes first to eligible agents over their VIP share cap (it
  lowers their share).
- Among eligible agents: members of a pool serving the ticket's tier first, then
  the lightest load, then the higher level, then the longest tenure.
- Unmatched tickets are not assigned: someone must find the account first.
- No one available: unassigned, with the reason.
"""

from dataclasses import dataclass, replace
from datetime import date

from accounts.models import Tier
from tickets.staffing.capacity import may_take_vip, over_vip_cap

SENIOR = 3


@dataclass(frozen=True)
class AgentCandidate:
    id: int
    name: str
    level: int
    tenure_start: date
    pool_tiers: frozenset = frozenset()
    on_pto: bool = False
    on_shift: bool = True
    open_load: int = 0
    vip_load: int = 0
    capacity: int = 8
    vip_share_cap_pct: int | None = None

    def tenure_months(self, today: date) -> int:
        months = (today.year - self.tenure_start.year) * 12 + today.month - self.tenure_start.month
        return months - (1 if today.day < self.tenure_start.day else 0)

    def over_vip_cap(self, default_cap_pct: int) -> bool:
        return over_vip_cap(
            self.vip_load, self.open_load, self.vip_share_cap_pct or default_cap_pct
        )

    def may_take_vip(self, default_cap_pct: int) -> bool:
        return may_take_vip(
            self.vip_load, self.open_load, self.vip_share_cap_pct or default_cap_pct
        )


@dataclass(frozen=True)
class Assignment:
    agent_id: int | None
    reason: str


LEVEL_NAMES = {1: "L1", 2: "L2", 3: "Senior"}


def choose_agent(
    decision, candidates: list[AgentCandidate], vip_share_cap_pct: int, today: date
) -> Assignment:
    """`decision` is a tickets.routing.rules.RoutingDecision."""
    if decision.queue == "unmatched":
        return Assignment(None, "Unassigned: no account matched, triage first")
    vip = decision.is_vip
    present = [c for c in candidates if c.on_shift and not c.on_pto]
    if not present:
        return Assignment(None, "Unassigned: no agent on shift (PTO and off-shift skipped)")

    def busy(c: AgentCandidate) -> bool:
        return (c.vip_load if vip else c.open_load) >= c.capacity

    def load(c: AgentCandidate) -> int:
        return c.vip_load if vip else c.open_load

    if decision.executive:
        free = [c for c in present if not busy(c)]
        if not free:
            return Assignment(None, "Unassigned: every agent on shift is at capacity")
        best = max(free, key=lambda c: (c.level, -c.tenure_start.toordinal(), -load(c), -c.id))
        return Assignment(
            best.id, f"Assigned to {best.name}: the most senior available agent (executive)"
        )

    if decision.needs_tier1_pool:
        pool = [c for c in present if Tier.STRATEGIC in c.pool_tiers]
        chosen = _pick(pool, vip, busy, load, vip_share_cap_pct, decision.tier, today)
        if chosen:
            return Assignment(chosen[0].id, f"Assigned to {chosen[0].name}: Tier 1 pool{chosen[1]}")
        members = {c.id for c in pool}
        seniors = [c for c in present if c.level >= SENIOR and c.id not in members]
        chosen = _pick(seniors, vip, busy, load, vip_share_cap_pct, decision.tier, today)
        if chosen:
            return Assignment(
                chosen[0].id,
                f"Assigned to {chosen[0].name}: every Tier 1 pool member is busy or away, "
                f"overflow to a senior agent{chosen[1]}",
            )
        return Assignment(None, "Unassigned: Tier 1 pool and senior agents all busy or away")

    level, months = decision.required_level, decision.required_tenure_months
    eligible = [
        c for c in present if c.level >= level and (not months or c.tenure_months(today) >= months)
    ]
    need = f"{LEVEL_NAMES.get(level, level)}+" + (f", ≥ {months} months tenure" if months else "")
    chosen = _pick(eligible, vip, busy, load, vip_share_cap_pct, decision.tier, today)
    if chosen:
        return Assignment(chosen[0].id, f"Assigned to {chosen[0].name} ({need}){chosen[1]}")
    if not eligible:
        return Assignment(None, f"Unassigned: no agent on shift meets {need}")
    return Assignment(None, f"Unassigned: every agent meeting {need} is at capacity")


def _pick(pool, vip, busy, load, cap_pct, tier, today):
    free = [c for c in pool if not busy(c)]
    if not free:
        return None

    def order(c: AgentCandidate):
        return (tier not in c.pool_tiers, load(c), -c.level, c.tenure_start, c.id)

    if not vip:
        # Non-VIP work first to those over their VIP share cap: it brings them back.
        return min(free, key=lambda c: (not c.over_vip_cap(cap_pct), order(c))), ""
    under = [c for c in free if c.may_take_vip(cap_pct)]
    if under:
        return min(under, key=order), ""
    best = min(free, key=lambda c: (c.vip_load, order(c)))
    return best, " (every eligible agent is at the VIP share cap: fewest VIP tickets)"


def with_assignment(candidates: list[AgentCandidate], agent_id: int, vip: bool):
    """The candidates after one more ticket went to agent_id (for batch routing)."""
    return [
        replace(c, open_load=c.open_load + 1, vip_load=c.vip_load + (1 if vip else 0))
        if c.id == agent_id
        else c
        for c in candidates
    ]
