"""The escalation page's data, in the seed's "Escalation Management Report" order, in a
fixed number of queries however many events, actions or communications it has."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from escalations import forecast, goodwill, lifecycle, listing, sla
from escalations.matrix import parse_owners
from escalations.matrix import people as matrix_people
from escalations.models import (
    Action,
    Escalation,
    EscalationEvent,
    GoodwillApprovalRule,
    GoodwillKind,
    PlaybookPolicy,
    Risk,
    RoleHolder,
    TypeOwners,
)
from escalations.postmortems.systemic import flags_for


def queryset():
    return forecast.with_keys(
        Escalation.objects.select_related("account", "account__csm", "owner", "post_mortem")
    )


@dataclass
class PathStep:
    level: int
    owners: str
    people: list
    reached_at: datetime | None
    state: str  # "done", "current", "next"


def _path(e: Escalation, matrix: dict[int, str], holders: dict[str, list], events) -> list:
    reached = {0: e.opened_at}
    for ev in events:
        if ev.kind == EscalationEvent.Kind.LEVEL and ev.to_value.isdigit():
            reached.setdefault(int(ev.to_value), ev.at)
    steps = []
    for level, owners in sorted(matrix.items()):
        try:
            roles = parse_owners(owners)
        except ValueError:
            roles = []
        people = matrix_people(roles, e.account.csm, holders)
        state = "current" if level == e.level else "done" if level < e.level else "next"
        steps.append(PathStep(level, owners, people, reached.get(level), state))
    return steps


def context(e: Escalation, user, now: datetime) -> dict:
    policies = listing.load_policies()
    policy = PlaybookPolicy.load()
    listing.annotate_sla(e, policies, now)
    severity_policy = policies.get(e.severity)
    holders: dict[str, list] = {}
    user_roles = set()
    for holder in RoleHolder.objects.select_related("user"):
        holders.setdefault(holder.role, []).append(holder.user)
        if holder.user_id == user.pk:
            user_roles.add(holder.role)
    events = list(e.events.select_related("actor"))
    matrix = {level: owners for (_, level), owners in listing.load_matrix(e.severity).items()}
    path = _path(e, matrix, holders, events)
    all_actions = list(e.actions.select_related("owner"))
    risks = {r.kind: r for r in e.risks.all()}
    offers = list(e.goodwill.select_related("requested_by", "decided_by"))
    for offer in offers:
        offer.may_decide = offer.status == "requested" and goodwill.may_approve(
            user_roles, offer.approver_role
        )
    start = sla.clock_start(e)
    ack_due = start + timedelta(minutes=policy.acknowledge_minutes)
    update_minutes = severity_policy.customer_update_minutes if severity_policy else None
    update_due = sla.customer_update_due(e, update_minutes)
    post_mortem = getattr(e, "post_mortem", None)
    ended = sla.stopped_at(e)
    forecasts = forecast.stored(now) if e.is_open else None
    return {
        "e": e,
        "account": e.account,
        "now": now,
        "until": ended or now,
        "ack_clock": listing.Clock(
            ack_due,
            sla.responded_at(e),
            (sla.responded_at(e) or now) > ack_due,
            now,
            "acknowledged",
        ),
        "acknowledge_minutes": policy.acknowledge_minutes,
        "update_clock": listing.Clock(
            update_due, None, update_due is not None and update_due < now, now
        )
        if update_due
        else None,
        "update_minutes": update_minutes,
        "post_mortem_required": bool(severity_policy and severity_policy.post_mortem_required),
        "post_mortem_status": post_mortem.status if post_mortem else "missing",
        "reescalation_flags": flags_for(e),
        "contributing_factors": [f for f in e.contributing_factors.splitlines() if f.strip()],
        "path": path,
        "current_people": next((s.people for s in path if s.state == "current"), []),
        "at_top": e.level + 1 not in matrix,
        "type_owners": TypeOwners.objects.filter(type=e.type)
        .values_list("teams", flat=True)
        .first()
        or "",
        "horizons": [
            (label, [a for a in all_actions if a.horizon == value])
            for value, label in Action.Horizon.choices
        ],
        "overdue_ids": {a.pk for a in all_actions if a.status == "open" and a.due_at < now},
        "plan": list(e.communication_plan.all()),
        "communications": list(e.communications.select_related("sender")),
        "stakeholders": list(e.stakeholders.all()),
        "risks": [(label, risks.get(value)) for value, label in Risk.Kind.choices],
        "offers": offers,
        "goodwill_rules": _rules_table(),
        "tickets": list(e.tickets.order_by("created_at", "id")),
        "events": events,
        "steps": [t for t in lifecycle.TARGETS if e.status in lifecycle.ALLOWED_FROM[t]],
        "forecast": forecasts.of(e) if forecasts else None,
        "forecast_figures": forecasts.figures if forecasts else None,
    }


def _rules_table() -> list[tuple[str, str, str]]:
    """(option, limit, approver) rows of the admin's approval table."""
    rows = []
    for rule in GoodwillApprovalRule.objects.all():
        limit = f"up to ${rule.max_amount:,.0f}" if rule.max_amount is not None else "any"
        if rule.kind != GoodwillKind.CREDIT:
            limit = "—"
        rows.append((rule.get_kind_display(), limit, rule.get_approver_display()))
    return rows
