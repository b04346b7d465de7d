"""Backtest rules: how early and how precisely a daily risk series warned of trouble.

Pure functions over plain data (vipdesk/insight/replay.py loads it):

- a *series* is one mapping per replay moment, account id -> value, holding the
  accounts at or above some floor (a risk score, or a simple rule's signal);
- an *episode* starts when an account's value reaches the threshold (a crossing, one
  alert) and ends at the first moment it is back below: a second crossing inside an
  episode is no new alert;
- an escalation is *flagged with lead L* when the episode running at the moment it
  opened had started at least L before; `first_crossed_at` is that episode's start;
- a crossing is *true* when its account escalates or churns within 30 days after it.
"""

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

LEADS = {"24h": timedelta(hours=24), "72h": timedelta(hours=72), "7d": timedelta(days=7)}
PRECISION_WINDOW = timedelta(days=30)


@dataclass(frozen=True)
class Outcome:
    """An escalation opening or a churn: what the score should have foreseen."""

    account_id: int
    at: datetime
    kind: str  # "escalation" | "churn"
    code: str = ""
    external_id: str | None = None
    source: str = ""
    account: str = ""  # the account's name


@dataclass(frozen=True)
class Episode:
    account_id: int
    start: datetime
    end: datetime | None  # first moment back below; None while still running
    detail: tuple = ()  # e.g. the score's factors at the crossing


@dataclass
class Figures:
    threshold: float
    escalations: int
    recall: dict[str, float | None]  # "24h"/"72h"/"7d" -> share of escalations flagged
    alerts: int
    alerts_per_csm_week: float
    busiest_csm_per_week: float  # the CSM with the most new alerts (accounts with a CSM)
    precision_30d: float | None
    base_rate_30d: float | None
    lift: float | None
    per_escalation: list[dict] = field(default_factory=list)
    true_alerts: list[Episode] = field(default_factory=list)
    false_alerts: list[Episode] = field(default_factory=list)

    @property
    def recall_24h(self):
        return self.recall["24h"]

    def as_contract(self) -> dict:
        """The keys `backtest_risk --json` writes (integration contract)."""
        return {
            "escalations": self.escalations,
            "recall_24h": self.recall["24h"],
            "recall_72h": self.recall["72h"],
            "recall_7d": self.recall["7d"],
            "alerts_per_csm_week": self.alerts_per_csm_week,
            "precision_30d": self.precision_30d,
            "per_escalation": self.per_escalation,
        }


def episodes(
    moments: list[datetime], series: list[dict[int, float]], threshold: float, details=None
) -> list[Episode]:
    """Episodes at or above `threshold`; `details[i]` (optional) maps account -> what to
    keep about the crossing at moment i."""
    running: dict[int, datetime] = {}
    started_detail: dict[int, tuple] = {}
    out = []
    for i, (moment, values) in enumerate(zip(moments, series, strict=True)):
        above = {a for a, v in values.items() if v >= threshold}
        for account_id in [a for a in running if a not in above]:
            out.append(
                Episode(account_id, running.pop(account_id), moment, started_detail.pop(account_id))
            )
        for account_id in above - running.keys():
            running[account_id] = moment
            started_detail[account_id] = tuple(details[i].get(account_id, ())) if details else ()
    out += [Episode(a, start, None, started_detail[a]) for a, start in running.items()]
    return sorted(out, key=lambda e: (e.start, e.account_id))


def running_at(account_episodes: list[Episode], at: datetime) -> Episode | None:
    for episode in account_episodes:
        if episode.start <= at and (episode.end is None or at < episode.end):
            return episode
    return None


def evaluate(
    all_episodes: list[Episode],
    outcomes: list[Outcome],
    *,
    threshold: float,
    period: tuple[datetime, datetime],
    csm_of: dict[int, int | None],
    moments: list[datetime],
) -> Figures:
    """Figures for the crossings and escalations inside `period` [start, end).

    Episodes that started before the period (the replay's warm-up) still give lead
    time to early escalations but are not counted as alerts. `outcomes` may reach
    past the period's end (precision looks 30 days ahead)."""
    start, end = period
    by_account = defaultdict(list)
    for episode in all_episodes:
        by_account[episode.account_id].append(episode)
    escalations = [o for o in outcomes if o.kind == "escalation" and start <= o.at < end]
    per_escalation, flagged = [], dict.fromkeys(LEADS, 0)
    for o in sorted(escalations, key=lambda o: (o.at, o.code)):
        episode = running_at(by_account.get(o.account_id, []), o.at)
        lead = (o.at - episode.start) if episode else None
        for name, needed in LEADS.items():
            flagged[name] += bool(lead is not None and lead >= needed)
        per_escalation.append(
            {
                "code": o.code,
                "external_id": o.external_id,
                "account": o.account,
                "opened_at": o.at.isoformat(),
                "first_crossed_at": episode.start.isoformat() if episode else None,
                "lead_hours": round(lead.total_seconds() / 3600, 1) if lead is not None else None,
            }
        )
    alerts = [e for e in all_episodes if start <= e.start < end]
    outcome_times = defaultdict(list)
    for o in outcomes:
        outcome_times[o.account_id].append(o.at)

    def followed(account_id: int, at: datetime) -> bool:
        return any(at < t <= at + PRECISION_WINDOW for t in outcome_times.get(account_id, []))

    true_alerts = [e for e in alerts if followed(e.account_id, e.start)]
    false_alerts = [e for e in alerts if not followed(e.account_id, e.start)]
    weeks = max((end - start) / timedelta(days=7), 1 / 7)
    per_csm = defaultdict(int)  # accounts without a CSM alert nobody at the CSM level
    for e in alerts:
        if csm_of.get(e.account_id) is not None:
            per_csm[csm_of[e.account_id]] += 1
    csms = {c for c in csm_of.values() if c is not None} or {None}
    in_period = [m for m in moments if start <= m < end]
    base = base_rate(outcome_times, list(csm_of), in_period)
    precision = len(true_alerts) / len(alerts) if alerts else None
    return Figures(
        threshold=threshold,
        escalations=len(escalations),
        recall={
            name: (flagged[name] / len(escalations) if escalations else None) for name in LEADS
        },
        alerts=len(alerts),
        alerts_per_csm_week=round(len(alerts) / len(csms) / weeks, 2),
        busiest_csm_per_week=round(max(per_csm.values(), default=0) / weeks, 2),
        precision_30d=precision,
        base_rate_30d=base,
        lift=round(precision / base, 2) if precision is not None and base else None,
        per_escalation=per_escalation,
        true_alerts=true_alerts,
        false_alerts=false_alerts,
    )


def base_rate(
    outcome_times: dict[int, list[datetime]], accounts: list[int], moments: list[datetime]
) -> float | None:
    """Share of (account, moment) pairs followed by an outcome within 30 days: the
    precision of flagging accounts at random."""
    if not accounts or not moments:
        return None
    hits = sum(
        1
        for times in outcome_times.values()
        for m in moments
        if any(m < t <= m + PRECISION_WINDOW for t in times)
    )
    return hits / (len(accounts) * len(moments))


def factor_shares(alerts: list[Episode]) -> dict[str, float]:
    """Each factor's share of the points behind these crossings (detail = factors)."""
    points = defaultdict(int)
    for episode in alerts:
        for factor in episode.detail:
            points[factor["name"]] += factor["points"]
    total = sum(points.values())
    return {name: round(p / total, 3) for name, p in sorted(points.items())} if total else {}


def at_equal_volume(
    moments: list[datetime],
    series: list[dict[int, float]],
    cutoffs: list[float],
    alerts_wanted: int,
    period: tuple[datetime, datetime],
) -> float:
    """The cutoff whose number of crossings in the period comes closest to
    `alerts_wanted` (on a tie, the one with fewer alerts, then the lower cutoff, which
    warns earlier: the rule gets the benefit of the doubt)."""
    volumes = crossings_by_cutoff(moments, series, cutoffs, period)
    return min(cutoffs, key=lambda c: (abs(volumes[c] - alerts_wanted), volumes[c], c))


def crossings_by_cutoff(
    moments: list[datetime],
    series: list[dict[int, float]],
    cutoffs: list[float],
    period: tuple[datetime, datetime],
) -> dict[float, int]:
    """How many episodes start in the period at each cutoff, in one pass over the
    series: a value v after p (p = below everything when the account was not in the
    previous moment's series) starts an episode for every cutoff c with p < c ≤ v."""
    ordered = sorted(cutoffs)
    starts = [0] * (len(ordered) + 1)
    previous: dict[int, float] = {}
    for moment, values in zip(moments, series, strict=True):
        if period[0] <= moment < period[1]:
            for account_id, v in values.items():
                p = previous.get(account_id)
                low = 0 if p is None else bisect_right(ordered, p)
                high = bisect_right(ordered, v)
                if high > low:
                    starts[low] += 1
                    starts[high] -= 1
        previous = values
    counts, running = {}, 0
    for c, change in zip(ordered, starts, strict=False):
        running += change
        counts[c] = running
    return counts
