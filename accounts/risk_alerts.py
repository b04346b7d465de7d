"""Alerts when an account's risk score crosses a threshold, once per crossing.

Account.risk_alerted_threshold holds the highest threshold already alerted on; the
rescore sets it to the highest threshold the new score reaches, so it falls back when
the score drops and a later crossing alerts again. The caller passes the crossings
it found under a row lock, in the same transaction as the score write-back; it raises
these alerts with the band workflows' through one alert budget (accounts/alert_budget.py)."""

from datetime import datetime

from django.contrib.auth.models import User

from accounts.alert_budget import Crossing
from accounts.models import Account
from accounts.scoring import crossed_thresholds, thresholds
from vipdesk.alerts.models import Alert
from vipdesk.alerts.raising import AlertSpec
from vipdesk.lib.roles import Role


def leads_and_admins() -> tuple[list[int], list[int]]:
    """The active support leads and admins (ids): who leadership and executive alerts
    and the band workflows go to beyond the account's own people."""
    members = User.objects.filter(
        is_active=True, groups__name__in=[Role.LEAD, Role.ADMIN]
    ).values_list("pk", "groups__name")
    leads = [pk for pk, group in members if group == Role.LEAD]
    admins = [pk for pk, group in members if group == Role.ADMIN]
    return leads, admins


LEVEL_KEYS = {Alert.Kind.RISK_THRESHOLD: "risk", Alert.Kind.RISK_BAND: "band"}


def account_alert_specs(
    account: Account, kind: str, level: int, what: str, recipients, title: str, body: str, now
) -> list[Crossing]:
    """One alert per distinct recipient (None skipped) about a crossing of `level` on an
    account (`what` words it for a digest): the level key (e.g. "risk:70", "band:60")
    with `now` makes it once per crossing."""
    return [
        Crossing(
            AlertSpec(
                user_id=user_id,
                kind=kind,
                dedupe_key=f"account:{account.pk}:{LEVEL_KEYS[kind]}:{level}:{now:%Y%m%dT%H%M%S}",
                title=title,
                body=body,
                link=f"/accounts/{account.pk}/",
                account_id=account.pk,
            ),
            level,
            what,
        )
        for user_id in dict.fromkeys(recipients)
        if user_id is not None
    ]


def audience(threshold: int, weights) -> str:
    if threshold >= weights.executive_outreach_threshold:
        return "executive outreach"
    if threshold >= weights.leadership_threshold:
        return "leadership"
    return "CSM attention"


def crossing_specs(
    account: Account, threshold: int, risk: int, weights, leads, admins, now: datetime
) -> list[Crossing]:
    kind = audience(threshold, weights)
    if kind == "executive outreach":
        recipients = list(admins)
        sponsor = account.executive_sponsor or "no executive sponsor on record"
        note = f" Plan executive outreach (executive sponsor: {sponsor})."
    elif kind == "leadership":
        recipients = [*leads, account.account_manager_id]
        note = " Leadership review needed."
    else:
        recipients = [account.csm_id]
        note = " Please review the account."
    factors = "; ".join(f["reason"] for f in account.risk_factors[:5])
    title = f"{account.name}: risk {risk} crossed {threshold} ({kind})"
    body = f"Churn-risk score {risk}/100 crossed the {kind} threshold of {threshold}.{note}"
    if factors:
        body += f"\nWhy: {factors}"
    what = f"crossed {threshold} ({kind})"
    return account_alert_specs(
        account, Alert.Kind.RISK_THRESHOLD, threshold, what, recipients, title, body, now
    )


def threshold_crossings(
    crossings: list[tuple[int, int, int]], accounts: dict[int, Account], weights, leads, admins, now
) -> list[Crossing]:
    """crossings: (account_id, previously alerted threshold, new risk) for accounts whose
    new score reaches a threshold above the one already alerted."""
    out = []
    for account_id, previously, risk in crossings:
        account = accounts.get(account_id)
        if account is None:
            continue
        for threshold in crossed_thresholds(previously, risk, weights):
            if threshold not in thresholds(weights):
                continue  # a band start: vipdesk/insight/risk_bands.py acts on it
            out += crossing_specs(account, threshold, risk, weights, leads, admins, now)
    return out
