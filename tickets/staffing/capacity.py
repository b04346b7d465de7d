"""An agent's open load and VIP share: the one definition (SPEC "VIP share") the
router's cap, the pools page and the dashboard all use.

VIP share = VIP tickets ÷ all tickets among the agent's open assigned tickets (a VIP
ticket is Ticket.is_vip: Tier 1–3 account or executive contact). An agent is over
the cap when that share is above their cap (the agent's own, else the routing
policy's); one with no open tickets has no share and is not over it. The router
gives an agent a VIP ticket only if the share stays within the cap afterwards.
"""

from dataclasses import dataclass

from django.db.models import Count

from tickets.models import Ticket, vip_ticket_q


@dataclass(frozen=True)
class OpenLoad:
    total: int = 0
    vip: int = 0

    @property
    def vip_share_pct(self) -> int | None:
        return vip_share_pct(self.vip, self.total)


def vip_share_pct(vip: int, total: int) -> int | None:
    """VIP ÷ all open assigned tickets, in whole percent; None without open tickets."""
    return round(100 * vip / total) if total else None


def over_vip_cap(vip: int, total: int, cap_pct: int) -> bool:
    return total > 0 and 100 * vip > cap_pct * total


def may_take_vip(vip: int, total: int, cap_pct: int) -> bool:
    """Whether one more VIP ticket keeps the agent's VIP share within the cap."""
    return not over_vip_cap(vip + 1, total + 1, cap_pct)


def open_loads() -> dict[int, OpenLoad]:
    """{agent id: open assigned tickets and how many are VIP}, one grouped query read
    from ticket_open_load_idx alone (so it counts no column outside it); agents without
    open tickets are absent."""
    tickets = Ticket.objects.open().exclude(assigned_agent=None)
    rows = tickets.values("assigned_agent").annotate(
        total=Count("*"), vip=Count("executive_contact", filter=vip_ticket_q())
    )
    return {r["assigned_agent"]: OpenLoad(r["total"], r["vip"]) for r in rows}
