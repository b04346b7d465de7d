"""The alert budget of one rescore: how many account crossings a support lead or admin
is told about one by one before the rest arrive as a digest.

A weights change can move thousands of accounts across a threshold in one rescore;
one alert each to every lead and admin buries the few that matter (123,863 alerts at
100k accounts before this budget). So each lead or admin gets at most
ScoreWeights.alerts_per_person_per_run individual crossing alerts per run — threshold
and band alerts counted together — and, beyond that, ONE digest per threshold or band
naming the other accounts and linking to the at-risk board from that score.

Which crossings go one by one: the highest risk first (the alert is about risk, and
the riskiest account is the one most likely to escalate), then the highest ARR (more
revenue at stake), then the account id (a stable order). The account's own CSM and
account manager are not budgeted: the check-in draft and the stakeholder brief are
their work on that account, not a fan-out. The crossing bookkeeping is untouched: an
account counted in a digest is alerted on that crossing as much as one sent alone.

Pure: specs and plain account facts in, specs out; both the threshold alerts
(accounts/risk_alerts.py) and the band workflows (vipdesk/insight/risk_bands.py) go
through `within_budget` together in the rescore's write-back."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from vipdesk.alerts.raising import AlertSpec

BOARD = "/accounts/at-risk/"


@dataclass(frozen=True)
class Crossing:
    """One would-be alert about an account crossing `level` (`what`, e.g. "crossed 85
    (leadership)", is how a digest words it)."""

    spec: AlertSpec
    level: int
    what: str


@dataclass(frozen=True)
class CrossedAccount:
    name: str
    risk: int
    arr: Decimal
    own_people: frozenset[int]  # its CSM and account manager: never budgeted


def rank(account_id: int, account: CrossedAccount) -> tuple:
    return (-account.risk, -account.arr, account_id)


def digest_link(level: int) -> str:
    """The at-risk board from that score, riskiest first: the digest's accounts are
    all on it (a score at or above the level it crossed)."""
    return f"{BOARD}?risk_min={level}"


def within_budget(
    crossings: list[Crossing], accounts: dict[int, CrossedAccount], limit: int, now: datetime
) -> list[AlertSpec]:
    """The specs to raise: each person's `limit` top-ranked budgeted crossings, every
    unbudgeted one, and one digest per person, kind and level for the rest."""
    specs: list[AlertSpec] = []
    budgeted: dict[int, list[Crossing]] = defaultdict(list)
    for crossing in crossings:
        spec = crossing.spec
        if spec.user_id is None:
            continue
        if spec.user_id in accounts[spec.account_id].own_people:
            specs.append(spec)
        else:
            budgeted[spec.user_id].append(crossing)
    for user_id, mine in budgeted.items():
        # One alert per account and person however many levels it crossed counts once
        # against the budget: the top-ranked accounts go out with all their levels.
        order = sorted(
            {c.spec.account_id for c in mine},
            key=lambda account_id: rank(account_id, accounts[account_id]),
        )
        position = {account_id: i for i, account_id in enumerate(order)}
        rest: dict[tuple[str, int, str], list[int]] = defaultdict(list)
        for crossing in sorted(mine, key=lambda c: position[c.spec.account_id]):
            if position[crossing.spec.account_id] < limit:
                specs.append(crossing.spec)
            else:
                rest[(crossing.spec.kind, crossing.level, crossing.what)].append(
                    crossing.spec.account_id
                )
        specs += [
            digest(user_id, kind, level, what, ids, accounts, limit, now)
            for (kind, level, what), ids in rest.items()
        ]
    return specs


def digest(
    user_id: int,
    kind: str,
    level: int,
    what: str,
    account_ids: list[int],
    accounts: dict[int, CrossedAccount],
    limit: int,
    now: datetime,
) -> AlertSpec:
    listed = "\n".join(
        f"- {accounts[a].name}: risk {accounts[a].risk}, ${accounts[a].arr:,.0f} ARR"
        for a in account_ids
    )
    count = len(account_ids)
    noun = "account" if count == 1 else "accounts"
    return AlertSpec(
        user_id=user_id,
        kind=kind,
        dedupe_key=f"digest:{kind}:{level}:{now:%Y%m%dT%H%M%S}",
        title=f"{count} more {noun} {what} in this rescore — see the at-risk board",
        body=(
            f"The {limit} riskiest accounts that crossed in this rescore were sent to you "
            f"one by one (highest risk, then highest ARR); these {count} also {what}, "
            "highest risk first:\n"
            f"{listed}\n"
            f"The board link lists every account scoring {level} or more, these included "
            "(and those that crossed before). The limit is an admin setting: Score "
            "weights › Alert flood control."
        ),
        link=digest_link(level),
    )
