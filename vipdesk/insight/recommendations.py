"""The recommended approach for an account: rules over its signals, each with its reason.

Pure: no database access. The view gathers the signals (AccountSignals) and passes the
risk thresholds from ScoreWeights.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from accounts.models import RiskLevel, Tier

URGENT, HIGH, NORMAL = 1, 2, 3


@dataclass(frozen=True)
class Thresholds:
    csm_attention: int = 70
    leadership: int = 85
    executive_outreach: int = 95

    @classmethod
    def from_weights(cls, weights) -> "Thresholds":
        return cls(
            weights.csm_attention_threshold,
            weights.leadership_threshold,
            weights.executive_outreach_threshold,
        )


@dataclass(frozen=True)
class AccountSignals:
    tier: int
    risk_score: int
    risk_level: str
    factors: list = field(default_factory=list)
    health_score: int | None = None
    days_to_renewal: int | None = None
    open_escalations: int = 0
    critical_escalations: int = 0
    executive_contacts: int = 0
    has_champion: bool = False
    executive_sponsor: str = ""
    nps: int | None = None
    previous_nps: int | None = None
    usage_trend_pct: float | None = None
    expansion_opportunity: Decimal = Decimal(0)
    open_tickets: int = 0

    def get_level_label(self) -> str:
        try:
            return RiskLevel(self.risk_level).label
        except ValueError:
            return str(self.risk_level)


@dataclass(frozen=True)
class Recommendation:
    action: str
    reason: str
    priority: int = NORMAL

    @property
    def priority_label(self) -> str:
        return {URGENT: "Urgent", HIGH: "High", NORMAL: "Normal"}[self.priority]


def _has_factor(signals: AccountSignals, *words: str) -> dict | None:
    for factor in signals.factors or []:
        if not isinstance(factor, dict) or not (factor.get("points") or 0) > 0:
            continue
        name = str(factor.get("name", "")).lower().replace("_", " ")
        if any(word in name for word in words):
            return factor
    return None


def _renewal_phrase(days: int | None) -> str:
    if days is None:
        return "no renewal date on record"
    if days < 0:
        return f"renewal date passed {-days} days ago"
    return f"renewal in {days} day{'s' if days != 1 else ''}"


def recommend(
    signals: AccountSignals, thresholds: Thresholds = Thresholds()
) -> list[Recommendation]:
    """Recommendations, most urgent first, each with the signals that triggered it."""
    recs: list[Recommendation] = []
    score = signals.risk_score
    days = signals.days_to_renewal
    renewal = _renewal_phrase(days)
    renewing_soon = days is not None and 0 <= days <= 90
    at_risk = signals.risk_level in (RiskLevel.HIGH, RiskLevel.CRITICAL)
    vip = signals.tier != Tier.STANDARD

    if score >= thresholds.executive_outreach or (
        signals.risk_level == RiskLevel.CRITICAL and renewing_soon
    ):
        recs.append(
            Recommendation(
                "Executive outreach within 48 h: our executive calls theirs with a recovery plan",
                f"risk {score} and {renewal}",
                URGENT,
            )
        )
    elif score >= thresholds.leadership:
        recs.append(
            Recommendation(
                "Brief CS leadership and open a stakeholder channel with a named owner",
                f"risk {score} is at or above the leadership threshold ({thresholds.leadership})",
                HIGH,
            )
        )
    elif score >= thresholds.csm_attention:
        recs.append(
            Recommendation(
                "CSM check-in call this week on the recent issues",
                f"risk {score} is at or above the CSM-attention threshold "
                f"({thresholds.csm_attention})",
                HIGH,
            )
        )

    if signals.open_escalations:
        critical = (
            f", {signals.critical_escalations} critical (customer update at least every 4 h)"
            if signals.critical_escalations
            else ""
        )
        recs.append(
            Recommendation(
                "Resolve the open escalation before any commercial conversation",
                f"{signals.open_escalations} open escalation"
                f"{'s' if signals.open_escalations != 1 else ''}{critical}",
                URGENT if signals.critical_escalations else HIGH,
            )
        )

    if at_risk and renewing_soon:
        recs.append(
            Recommendation(
                "Start the renewal conversation now with a written success plan",
                f"{signals.get_level_label()} risk and {renewal}",
                HIGH,
            )
        )

    churn = _has_factor(signals, "churn")
    if churn:
        recs.append(
            Recommendation(
                "Acknowledge the churn language directly and offer a call with the decision maker",
                churn.get("reason") or "churn language in recent tickets",
                HIGH,
            )
        )

    frequency = _has_factor(signals, "frequency", "ticket volume", "severity")
    if frequency or signals.open_tickets >= 3:
        reason = frequency.get("reason") if frequency else f"{signals.open_tickets} open tickets"
        recs.append(
            Recommendation(
                "Priority resolution of open tickets and a root-cause review with support",
                reason or "ticket volume or severity rising",
                HIGH if at_risk else NORMAL,
            )
        )

    usage = _has_factor(signals, "usage")
    if usage or (signals.usage_trend_pct is not None and signals.usage_trend_pct <= -15):
        reason = (
            f"weekly active users {signals.usage_trend_pct:+.0f}% over 4 weeks"
            if signals.usage_trend_pct is not None
            else usage.get("reason", "usage dropping")
        )
        recs.append(
            Recommendation(
                "Adoption review: usage walkthrough and training for the teams that dropped off",
                reason,
                HIGH if at_risk else NORMAL,
            )
        )

    if (
        signals.nps is not None
        and signals.previous_nps is not None
        and signals.previous_nps - signals.nps >= 10
    ):
        recs.append(
            Recommendation(
                "Follow up on the NPS drop: ask what changed and close the loop",
                f"NPS fell from {signals.previous_nps} to {signals.nps}",
                NORMAL,
            )
        )

    champion = _has_factor(signals, "champion")
    if champion or (vip and not signals.has_champion):
        recs.append(
            Recommendation(
                "Re-engage the champion, or identify a new one",
                champion.get("reason", "champion silent")
                if champion
                else "no champion on record for a VIP account",
                NORMAL,
            )
        )

    if vip and signals.executive_contacts == 0:
        recs.append(
            Recommendation(
                "Map an executive stakeholder at the customer",
                f"no executive contact on record for a {Tier(signals.tier).label} account",
                NORMAL,
            )
        )
    if vip and not signals.executive_sponsor.strip():
        recs.append(
            Recommendation(
                "Assign an executive sponsor on our side",
                f"{Tier(signals.tier).label} account without an executive sponsor",
                HIGH if signals.tier == Tier.STRATEGIC else NORMAL,
            )
        )

    if signals.expansion_opportunity > 0:
        amount = f"${signals.expansion_opportunity:,.0f}"
        if at_risk:
            recs.append(
                Recommendation(
                    "Hold the expansion pitch until the risk is addressed",
                    f"{amount} open expansion opportunity on a {signals.get_level_label()}-risk "
                    "account",
                    NORMAL,
                )
            )
        elif signals.risk_level == RiskLevel.LOW:
            recs.append(
                Recommendation(
                    "Pursue the expansion opportunity",
                    f"{amount} open and the account is at low risk",
                    NORMAL,
                )
            )

    if not recs:
        recs.append(
            Recommendation(
                "Keep the regular cadence: monthly check-in, quarterly review",
                f"risk {score} ({signals.get_level_label()}), no open issues",
                NORMAL,
            )
        )
    recs.sort(key=lambda r: r.priority)
    return recs
