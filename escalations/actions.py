"""Writes on escalations and their side effects. Every change writes its event in the
same transaction; status and level changes are conditional UPDATEs checked by row
count, so of two people clicking at once only one wins. A rule's refusal raises
Refused with the rule's sentence and changes nothing."""

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Account
from escalations import goodwill as goodwill_rules
from escalations import lifecycle, matrix
from escalations.models import (
    Action,
    Communication,
    CommunicationPlanItem,
    Escalation,
    EscalationEvent,
    EscalationMatrixLevel,
    Goodwill,
    GoodwillApprovalRule,
    PlaybookPolicy,
    PostMortem,
    Risk,
    RoleHolder,
    SeverityPolicy,
    Stakeholder,
)
from tickets.models import Ticket
from vipdesk.alerts.models import Alert
from vipdesk.alerts.raising import AlertSpec, raise_alerts

Kind = EscalationEvent.Kind
S = Escalation.Status


class Refused(Exception):
    """A lifecycle rule or guardrail refused the change; str() says why."""


def _name(user) -> str:
    if user is None:
        return "the system"
    return user.get_full_name() or user.get_username()


def record(
    escalation: Escalation,
    kind: str,
    *,
    at: datetime,
    actor=None,
    from_value="",
    to_value="",
    text: str = "",
) -> EscalationEvent:
    return EscalationEvent.objects.create(
        escalation=escalation,
        kind=kind,
        at=at,
        actor=actor,
        from_value=str(from_value)[:200],
        to_value=str(to_value)[:200],
        text=text,
    )


# -- people ------------------------------------------------------------------------


def role_holders() -> dict[str, list[int]]:
    holders: dict[str, list[int]] = {}
    for role, user_id in RoleHolder.objects.values_list("role", "user_id"):
        holders.setdefault(role, []).append(user_id)
    return holders


def path_of(severity: str) -> dict[int, str]:
    """level -> owners ("CSM + Manager") for a severity."""
    return dict(
        EscalationMatrixLevel.objects.filter(severity=severity).values_list("level", "owners")
    )


def level_people(escalation: Escalation, level: int, path: dict[int, str]) -> list[int]:
    try:
        roles = matrix.parse_owners(path.get(level, "CSM"))
    except ValueError:
        roles = ["csm"]
    return matrix.people(roles, escalation.account.csm_id, role_holders())


def notify(
    escalation: Escalation, user_ids: Iterable[int], key: str, title: str, body: str, by=None
):
    """Alert these people (in-app, e-mail, Slack) once per key; never the one acting."""
    user_ids = [u for u in user_ids if by is None or u != by.pk]
    raise_alerts(
        [
            AlertSpec(
                user_id=user_id,
                kind=Alert.Kind.ESCALATION,
                dedupe_key=f"escalation:{escalation.pk}:{key}",
                title=f"{escalation.code} {title}",
                body=body,
                link=f"/escalations/{escalation.pk}/",
                account_id=escalation.account_id,
            )
            for user_id in user_ids
        ]
    )


# -- opening -----------------------------------------------------------------------


def open_escalation(
    account: Account,
    *,
    type: str,
    severity: str,
    summary: str,
    source: str,
    by=None,
    tickets: Iterable[Ticket] = (),
    customer_statement: str = "",
    business_impact: str = "",
    users_affected: int | None = None,
    why: str = "",
    now: datetime | None = None,
) -> tuple[Escalation, bool]:
    """Open an escalation, or, if the account already has an open one of this type,
    link the tickets to that one instead (its timeline says so). Returns (escalation,
    created). Openings for one account are serialised by a lock on the account row."""
    now = now or timezone.now()
    tickets = list(tickets)
    with transaction.atomic():
        Account.objects.select_for_update().filter(pk=account.pk).values("pk").first()
        existing = (
            Escalation.objects.open()
            .filter(account=account, type=type)
            .select_related("account")
            .order_by("opened_at", "id")
            .first()
        )
        if existing is not None:
            link_tickets(existing, tickets, by=by, now=now, why="already open for this account")
            return existing, False
        escalation = Escalation.objects.create(
            account=account,
            type=type,
            severity=severity,
            summary=summary[:300],
            source=source,
            owner_id=account.csm_id,
            opened_at=now,
            customer_statement=customer_statement,
            business_impact=business_impact,
            users_affected=users_affected,
        )
        via = "" if source == Escalation.Source.PERSON else f" ({Escalation.Source(source).label})"
        record(
            escalation,
            Kind.OPENED,
            at=now,
            actor=by,
            to_value=S.OPEN,
            text=f"Opened by {_name(by)}{via}: "
            f"{escalation.get_severity_display()} {escalation.get_type_display()}."
            + (f" {why}" if why else ""),
        )
        link_tickets(escalation, tickets, by=by, now=now)
        path = path_of(severity)
        notify(
            escalation,
            level_people(escalation, 0, path),
            "level:0",
            f"opened: {escalation.summary}",
            f"{account.name}: {escalation.get_severity_display()} "
            f"{escalation.get_type_display()} escalation; you own level 0 ({path.get(0, '')}).",
            by,
        )
        Account.objects.filter(pk=account.pk).request_rescore()
    return escalation, True


def open_for_ticket(
    ticket: Ticket, *, severity: str, summary: str, source: str, by=None, now=None
) -> tuple[Escalation, bool]:
    """An automatic opening for a ticket: its type from the ticket's content; a ticket
    already behind an escalation never opens another."""
    existing = ticket.escalations.select_related("account").order_by("opened_at").first()
    if existing is not None:
        return existing, False
    type_, why = ticket_type(ticket)
    return open_escalation(
        ticket.account,
        type=type_,
        severity=severity,
        summary=summary,
        source=source,
        by=by,
        tickets=[ticket],
        why=why,
        now=now,
    )


def ticket_type(ticket: Ticket) -> tuple[str, str]:
    """The escalation type a ticket's content calls for, and why (lifecycle.classify)."""
    words = lifecycle.split_words(PlaybookPolicy.load().commercial_words)
    return lifecycle.classify(f"{ticket.subject}\n{ticket.body}", words)


def link_tickets(escalation: Escalation, tickets: list[Ticket], *, by, now, why: str = ""):
    """Link tickets not linked yet, one timeline event each."""
    linked = set(
        escalation.tickets.filter(pk__in=[t.pk for t in tickets]).values_list("pk", flat=True)
    )
    for ticket in tickets:
        if ticket.pk in linked:
            continue
        escalation.tickets.add(ticket)
        linked.add(ticket.pk)
        record(
            escalation,
            Kind.TICKET_LINKED,
            at=now,
            actor=by,
            to_value=ticket.pk,
            text=f"Ticket #{ticket.pk} linked"
            + (f" ({why})" if why else "")
            + f": {ticket.subject}",
        )


# -- lifecycle ---------------------------------------------------------------------


def post_mortem_status(escalation: Escalation) -> str:
    return (
        PostMortem.objects.filter(escalation=escalation).values_list("status", flat=True).first()
        or PostMortem.Status.MISSING
    )


def transition(
    escalation: Escalation,
    to: str,
    *,
    by=None,
    note: str = "",
    confirmed: bool = False,
    via: str = "",
    now: datetime | None = None,
) -> Escalation:
    """Move the escalation (lifecycle.decide) and record it; Refused says why not.
    `via` names who acted when no user did (e.g. an API token)."""
    now = now or timezone.now()
    with transaction.atomic():
        current = Escalation.objects.select_related("account").get(pk=escalation.pk)
        policy = PlaybookPolicy.load()
        closing = lifecycle.Closing()
        if to == S.CLOSED:
            severity = SeverityPolicy.objects.filter(severity=current.severity).first()
            closing = lifecycle.Closing(
                post_mortem_required=bool(severity and severity.post_mortem_required),
                post_mortem_status=post_mortem_status(current),
                customer_confirmed=confirmed,
                reason=note,
            )
        move = lifecycle.decide(current, to, now, reopen_days=policy.reopen_days, closing=closing)
        if not move.allowed:
            raise Refused(move.reason)
        fields: dict = {"status": move.status}
        if to == lifecycle.REOPENED:
            fields.update(
                reopened_at=now,
                reopen_count=F("reopen_count") + 1,
                resolved_at=None,
                closed_at=None,
                customer_confirmed=False,
                close_reason="",
            )
        elif current.acknowledged_at is None and to != S.CLOSED:
            fields["acknowledged_at"] = now
        if to == S.RESOLVED:
            fields["resolved_at"] = now
        if to == S.CLOSED:
            fields.update(
                closed_at=now, customer_confirmed=confirmed, close_reason="" if confirmed else note
            )
        updated = Escalation.objects.filter(pk=current.pk, status=current.status).update(**fields)
        if updated != 1:
            raise Refused(f"{current.code} changed meanwhile; reload the page to see its status.")
        text = _transition_text(current, to, _name(by) if by or not via else via, confirmed)
        record(
            current,
            Kind.REOPENED if to == lifecycle.REOPENED else Kind.STATUS,
            at=now,
            actor=by,
            from_value=current.status,
            to_value=move.status,
            text=text + (f" {note.strip()}" if note.strip() else ""),
        )
        if (to == lifecycle.REOPENED) or (to in Escalation.CLOSED_STATUSES) != (
            current.status in Escalation.CLOSED_STATUSES
        ):
            Account.objects.filter(pk=current.account_id).request_rescore()
    current.refresh_from_db()
    return current


def _transition_text(escalation: Escalation, to: str, who: str, confirmed: bool) -> str:
    if to == lifecycle.REOPENED:
        return f"Re-opened by {who} (re-escalation {escalation.reopen_count + 1})."
    if to == S.CLOSED:
        how = "the customer confirmed" if confirmed else "without the customer's confirmation"
        return f"Closed by {who}, {how}."
    if to == S.IN_PROGRESS:
        return f"Work started by {who}."
    return f"{Escalation.Status(to).label} by {who}."


def reassign(escalation: Escalation, *, by, owner, severity: str, reason: str, now=None) -> list:
    """Change the owner and/or the severity; one event for each change."""
    now = now or timezone.now()
    changes = []
    if owner is not None and owner.pk != escalation.owner_id:
        changes.append((Kind.OWNER, "owner_id", escalation.owner_id, owner.pk,
                        f"Owner: {_name(escalation.owner) if escalation.owner else 'none'} → "
                        f"{_name(owner)} (by {_name(by)})"))  # fmt: skip
    if severity and severity != escalation.severity:
        text = f"Severity: {escalation.severity} → {severity} (by {_name(by)})"
        changes.append((Kind.SEVERITY, "severity", escalation.severity, severity, text))
    if not changes:
        raise Refused("Nothing changed.")
    if not reason.strip():
        raise Refused("Say why: the timeline keeps it.")
    with transaction.atomic():
        Escalation.objects.filter(pk=escalation.pk).update(
            **{f: new for _, f, _, new, _ in changes}
        )
        for kind, _, old, new, text in changes:
            record(escalation, kind, at=now, actor=by, from_value=old or "", to_value=new,
                   text=f"{text}: {reason.strip()}")  # fmt: skip
        if owner is not None and owner.pk != escalation.owner_id:
            body = f"{_name(by)} made you the owner: {reason.strip()}"
            notify(escalation, [owner.pk], f"owner:{owner.pk}:{now.isoformat()}", "is yours now",
                   body, by)  # fmt: skip
    return [kind for kind, *_ in changes]


# -- levels --------------------------------------------------------------------------


def raise_level(escalation: Escalation, *, by, reason: str, now=None) -> Escalation:
    """Move up one level of the matrix: who and why on the timeline; the new level's
    people are alerted."""
    now = now or timezone.now()
    if not escalation.is_open:
        raise Refused(f"{escalation.code} is {escalation.get_status_display().lower()}.")
    path = path_of(escalation.severity)
    refusal = matrix.level_up_refusal(escalation.code, escalation.level, path, reason)
    if refusal:
        raise Refused(refusal)
    with transaction.atomic():
        updated = (
            Escalation.objects.open()
            .filter(pk=escalation.pk, level=escalation.level)
            .update(level=F("level") + 1)
        )
        if updated != 1:
            raise Refused(f"{escalation.code} changed meanwhile; reload the page.")
        new = escalation.level + 1
        text = f"Moved up to level {new} ({path[new]}) by {_name(by)}: {reason.strip()}"
        record(
            escalation, Kind.LEVEL, at=now, actor=by, from_value=new - 1, to_value=new, text=text
        )
        notify(
            escalation, level_people(escalation, new, path), f"level:{new}", "moved up to you", text
        )
    escalation.level = new
    return escalation


def auto_raise(escalation: Escalation, breach: matrix.Breach, path: dict[int, str], now) -> bool:
    """Move up one level for this breach, once (conditional on the breach not having
    moved it yet); at the final level the current level is alerted instead."""
    field = f"auto_raised_{breach.clock}_due"
    at_top = escalation.level + 1 not in path
    new = escalation.level if at_top else escalation.level + 1
    with transaction.atomic():
        updated = (
            Escalation.objects.open()
            .filter(pk=escalation.pk, level=escalation.level)
            .exclude(**{field: breach.due})
            .update(**{field: breach.due, "level": new})
        )
        if updated != 1:
            return False
        text = breach.sentence(now, new, path.get(new, ""), moved=not at_top)
        record(
            escalation,
            Kind.LEVEL,
            at=now,
            from_value=escalation.level,
            to_value=new,
            text=text,
        )
        notify(
            escalation,
            level_people(escalation, new, path),
            f"breach:{breach.clock}:{breach.due.isoformat()}",
            f"{breach.clock} SLA breach imminent",
            text,
        )
    return True


# -- the work ------------------------------------------------------------------------


def add_action(escalation, *, by, horizon, description, owner, due_at, now=None) -> Action:
    now = now or timezone.now()
    with transaction.atomic():
        action = Action.objects.create(
            escalation=escalation,
            horizon=horizon,
            description=description,
            owner=owner,
            due_at=due_at,
        )
        record(
            escalation,
            Kind.ACTION,
            at=now,
            actor=by,
            to_value=Action.Status.OPEN,
            text=f"Action added ({action.get_horizon_display()}, owner "
            f"{_name(owner) if owner else 'none'}, due {due_at:%Y-%m-%d %H:%M}): {description}",
        )
    return action


def complete_action(action: Action, *, by, now=None) -> Action:
    now = now or timezone.now()
    with transaction.atomic():
        updated = Action.objects.filter(pk=action.pk, status=Action.Status.OPEN).update(
            status=Action.Status.DONE, done_at=now
        )
        if updated != 1:
            raise Refused("This action is already done.")
        record(
            action.escalation,
            Kind.ACTION,
            at=now,
            actor=by,
            from_value=Action.Status.OPEN,
            to_value=Action.Status.DONE,
            text=f"Action done: {action.description}",
        )
    return action


def add_plan_item(escalation, *, by, audience, message, channel, timing, now=None):
    now = now or timezone.now()
    with transaction.atomic():
        item = CommunicationPlanItem.objects.create(
            escalation=escalation,
            audience=audience,
            message=message,
            channel=channel,
            timing=timing,
        )
        record(
            escalation,
            Kind.COMMUNICATION,
            at=now,
            actor=by,
            text=f"Communication plan: {audience} via {channel} ({timing}): {message}",
        )
    return item


def log_communication(escalation, *, by, at, type, to_customer, recipient, summary, now=None):
    """Log a communication; a customer one restarts the customer-update clock."""
    now = now or timezone.now()
    with transaction.atomic():
        item = Communication.objects.create(
            escalation=escalation,
            at=at,
            type=type,
            to_customer=to_customer,
            recipient=recipient,
            summary=summary,
            sender=by,
        )
        if to_customer:
            Escalation.objects.filter(pk=escalation.pk).exclude(
                last_customer_update_at__gte=at
            ).update(last_customer_update_at=at)
        record(
            escalation,
            Kind.COMMUNICATION,
            at=now,
            actor=by,
            to_value=type,
            text=f"{item.get_type_display()} to {recipient}"
            + (" (customer update)" if to_customer else "")
            + f": {summary}",
        )
    return item


def add_stakeholder(escalation, *, by, name, role, ask, now=None) -> Stakeholder:
    now = now or timezone.now()
    with transaction.atomic():
        stakeholder = Stakeholder.objects.create(
            escalation=escalation, name=name, role=role, ask=ask
        )
        record(
            escalation,
            Kind.STAKEHOLDER,
            at=now,
            actor=by,
            text=f"Stakeholder {name}" + (f" ({role})" if role else "") + f" asked: {ask}",
        )
    return stakeholder


def set_risk(escalation, *, by, kind, probability, impact, mitigation, now=None) -> Risk:
    now = now or timezone.now()
    with transaction.atomic():
        risk, _ = Risk.objects.update_or_create(
            escalation=escalation,
            kind=kind,
            defaults={"probability": probability, "impact": impact, "mitigation": mitigation},
        )
        record(
            escalation,
            Kind.RISK,
            at=now,
            actor=by,
            to_value=risk.score,
            text=f"{risk.get_kind_display()}: probability {risk.get_probability_display()}, "
            f"impact {risk.get_impact_display()} (score {risk.score}/9)"
            + (f"; mitigation: {mitigation}" if mitigation else ""),
        )
    return risk


ANALYSIS_FIELDS = (
    "business_impact",
    "users_affected",
    "initial_assessment",
    "root_cause_category",
    "contributing_factors",
    "root_cause",
)


def update_analysis(escalation: Escalation, *, by, values: dict, now=None) -> list[str]:
    """Save the impact and root-cause fields that changed; one event naming them."""
    now = now or timezone.now()
    changed = [f for f in ANALYSIS_FIELDS if f in values and getattr(escalation, f) != values[f]]
    if not changed:
        return []
    with transaction.atomic():
        Escalation.objects.filter(pk=escalation.pk).update(**{f: values[f] for f in changed})
        labels = ", ".join(Escalation._meta.get_field(f).verbose_name for f in changed)
        record(escalation, Kind.ANALYSIS, at=now, actor=by, text=f"Updated: {labels}.")
    for f in changed:
        setattr(escalation, f, values[f])
    return changed


# -- goodwill ------------------------------------------------------------------------


def user_roles(user) -> set[str]:
    return set(RoleHolder.objects.filter(user=user).values_list("role", flat=True))


def request_goodwill(
    escalation, *, by, kind, amount: Decimal | None, months, duration, reason, now=None
) -> Goodwill:
    """Propose an offer; the approver comes from the admin table by kind and amount."""
    now = now or timezone.now()
    refusal = goodwill_rules.value_refusal(kind, amount, months, duration or "")
    if refusal:
        raise Refused(refusal)
    approver = goodwill_rules.approver_for(kind, amount, list(GoodwillApprovalRule.objects.all()))
    if approver is None:
        raise Refused("No approval rule covers this offer; an admin must add one first.")
    with transaction.atomic():
        offer = Goodwill.objects.create(
            escalation=escalation,
            kind=kind,
            amount=amount,
            months=months,
            duration=duration or "",
            reason=reason,
            approver_role=approver,
            requested_by=by,
            requested_at=now,
        )
        text = (
            f"Goodwill proposed by {_name(by)}: {offer.get_kind_display()} {offer.value}; "
            f"needs {offer.get_approver_role_display()} approval."
        )
        record(escalation, Kind.GOODWILL, at=now, actor=by, to_value=offer.status, text=text)
        notify(
            escalation,
            role_holders().get(approver, []),
            f"goodwill:{offer.pk}",
            "goodwill awaits your approval",
            text,
            by,
        )
    return offer


def decide_goodwill(offer: Goodwill, *, by, approve: bool, note: str = "", now=None) -> Goodwill:
    """Approve or reject, checked by role server-side; a conditional UPDATE so one
    decision wins."""
    now = now or timezone.now()
    verb = "approve" if approve else "reject"
    refusal = goodwill_rules.decision_refusal(offer, user_roles(by), verb)
    if refusal:
        raise Refused(refusal)
    status = Goodwill.Status.APPROVED if approve else Goodwill.Status.REJECTED
    with transaction.atomic():
        updated = Goodwill.objects.filter(pk=offer.pk, status=Goodwill.Status.REQUESTED).update(
            status=status, decided_by=by, decided_at=now
        )
        if updated != 1:
            raise Refused("This offer was decided meanwhile; reload the page.")
        record(
            offer.escalation,
            Kind.APPROVAL,
            at=now,
            actor=by,
            from_value=Goodwill.Status.REQUESTED,
            to_value=status,
            text=f"{offer.get_kind_display()} {offer.value} {status.label.lower()} by {_name(by)}"
            + (f": {note.strip()}" if note.strip() else "."),
        )
    offer.refresh_from_db()
    return offer


def offer_goodwill(offer: Goodwill, *, by, now=None) -> Goodwill:
    """Mark an approved offer as made to the customer."""
    now = now or timezone.now()
    refusal = goodwill_rules.offer_refusal(offer)
    if refusal:
        raise Refused(refusal)
    with transaction.atomic():
        updated = Goodwill.objects.filter(pk=offer.pk, status=Goodwill.Status.APPROVED).update(
            status=Goodwill.Status.OFFERED, offered_at=now
        )
        if updated != 1:
            raise Refused("This offer changed meanwhile; reload the page.")
        record(
            offer.escalation,
            Kind.GOODWILL,
            at=now,
            actor=by,
            from_value=Goodwill.Status.APPROVED,
            to_value=Goodwill.Status.OFFERED,
            text=f"{offer.get_kind_display()} {offer.value} offered to the customer "
            f"by {_name(by)}.",
        )
    offer.refresh_from_db()
    return offer
