"""The record a draft is built from: one plain-JSON snapshot of the escalation, its
account, contact, SLA, actions, history, stakeholders and goodwill, stored with the
draft so "what did we know when we wrote this" stays answerable. A fixed number of
queries; compose.py reads only this."""

from datetime import datetime

from escalations.models import Escalation, EscalationEvent, SeverityPolicy, TypeOwners


def _name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def _iso(moment) -> str:
    return moment.isoformat() if moment else ""


def snapshot(e: Escalation, now: datetime) -> dict:
    account = e.account
    policy = SeverityPolicy.objects.filter(severity=e.severity).first()
    ticket = (
        e.tickets.filter(contact__isnull=False)
        .select_related("contact")
        .order_by("created_at", "id")
        .first()
    )
    contact = ticket.contact if ticket else None
    page = f"/escalations/{e.pk}/"
    return {
        "generated_at": now.isoformat(),
        "escalation": {
            "id": e.pk,
            "code": e.code,
            "type": e.type,
            "type_label": e.get_type_display(),
            "severity": e.severity,
            "severity_label": e.get_severity_display(),
            "status_label": e.get_status_display(),
            "summary": e.summary,
            "customer_statement": e.customer_statement,
            "business_impact": e.business_impact,
            "users_affected": e.users_affected,
            "initial_assessment": e.initial_assessment,
            "root_cause": e.root_cause,
            "root_cause_category": e.root_cause_category,
            "opened_at": _iso(e.opened_at),
            "resolved_at": _iso(e.resolved_at),
            "owner": _name(e.owner),
            "level": e.level,
        },
        "account": {
            "id": account.pk,
            "name": account.name,
            "arr": str(account.arr) if account.arr is not None else "",
            "renewal_date": account.renewal_date.isoformat() if account.renewal_date else "",
            "tier": account.get_tier_display(),
            "csm": _name(account.csm),
            "executive_sponsor": account.executive_sponsor,
        },
        "contact": {"name": contact.name, "title": contact.title, "email": contact.email}
        if contact
        else None,
        "sla": {
            "response_minutes": policy.response_minutes,
            "resolution_minutes": policy.resolution_minutes,
            "checkpoint_days": policy.checkpoint_days,
            "update_minutes": policy.customer_update_minutes,
        }
        if policy
        else None,
        "teams": TypeOwners.objects.filter(type=e.type).values_list("teams", flat=True).first()
        or "",
        "actions": [
            {
                "description": a.description,
                "owner": _name(a.owner),
                "due_at": _iso(a.due_at),
                "status": a.status,
                "horizon": a.horizon,
            }
            for a in e.actions.select_related("owner").order_by("due_at", "id")
        ],
        "history": [
            {"at": _iso(ev.at), "text": ev.text}
            for ev in e.events.exclude(kind=EscalationEvent.Kind.ALERT).order_by("at", "id")
            if ev.text
        ],
        "stakeholders": [
            {"name": s.name, "role": s.role, "ask": s.ask} for s in e.stakeholders.all()
        ],
        "goodwill": [
            {"kind": g.get_kind_display(), "value": g.value, "status": g.status}
            for g in e.goodwill.all()
        ],
        "links": {
            "escalation": page,
            "analysis": page + "#analysis",
            "statement": page + "#statement",
            "actions": page + "#actions",
            "owners": page + "#owners",
            "goodwill": page + "#goodwill",
            "account": f"/admin/accounts/account/{account.pk}/change/",
            "contact": f"/admin/accounts/contact/add/?account={account.pk}",
        },
    }
