"""The systemic-issue finder: other accounts' escalations in the last 180 days that
share this one's type, root-cause category or a contributing factor, ranked by the
ARR at risk; and re-escalations on an account whose earlier post-mortem still has open
follow-up actions. `match` and `reescalation_flags` are pure; the loaders query a fixed
number of times."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Q

from escalations.models import Escalation, FollowUp, PostMortem

WINDOW = timedelta(days=180)


@dataclass(frozen=True)
class Profile:
    escalation_id: int
    account_id: int
    type: str
    category: str | None = None
    factors: frozenset[str] = frozenset()
    arr: Decimal = Decimal(0)
    opened_at: datetime | None = None


@dataclass
class Match:
    profile: Profile
    reasons: list[str] = field(default_factory=list)


def match(subject: Profile, candidates: list[Profile], type_label: str = "") -> list[Match]:
    """Candidates of other accounts sharing something with the subject, with what they
    share, the largest ARR at risk first (then the most recent)."""
    found = []
    for c in candidates:
        if c.account_id == subject.account_id:
            continue
        reasons = []
        if c.type == subject.type:
            reasons.append(f"same type ({type_label or c.type})")
        if subject.category and c.category == subject.category:
            reasons.append(f"same root cause ({c.category})")
        shared = sorted(subject.factors & c.factors)
        if shared:
            reasons.append("shared factor: " + ", ".join(shared))
        if reasons:
            found.append(Match(c, reasons))
    found.sort(key=lambda m: (-m.profile.arr, -(m.profile.opened_at or datetime.min).timestamp()))
    return found


def _profile(e: Escalation) -> Profile:
    pm = getattr(e, "post_mortem", None)
    return Profile(
        escalation_id=e.pk,
        account_id=e.account_id,
        type=e.type,
        category=pm.root_cause_category.name if pm and pm.root_cause_category else None,
        factors=frozenset(f.name for f in pm.contributing_factors.all()) if pm else frozenset(),
        arr=e.account.arr or Decimal(0),
        opened_at=e.opened_at,
    )


def related(escalation: Escalation, pm: PostMortem, factors, now: datetime) -> list[dict]:
    """Rows for the post-mortem page: the escalation, the reasons, linked or not."""
    category = pm.root_cause_category if pm.root_cause_category_id else None
    subject = Profile(
        escalation.pk,
        escalation.account_id,
        escalation.type,
        category.name if category else None,
        frozenset(f.name for f in factors),
    )
    shares = Q(type=escalation.type)
    if category:
        shares |= Q(post_mortem__root_cause_category=category)
    if factors:
        shares |= Q(post_mortem__contributing_factors__in=factors)
    candidates = list(
        Escalation.objects.filter(shares, opened_at__gte=now - WINDOW)
        .exclude(account_id=escalation.account_id)
        .select_related("account", "post_mortem__root_cause_category")
        .prefetch_related("post_mortem__contributing_factors")
        .distinct()
        .order_by("-account__arr", "-opened_at")[:200]
    )
    by_id = {e.pk: e for e in candidates}
    label = escalation.get_type_display()
    return [
        {
            "e": by_id[m.profile.escalation_id],
            "reasons": m.reasons,
            "linked": escalation.problem_id is not None
            and by_id[m.profile.escalation_id].problem_id == escalation.problem_id,
        }
        for m in match(subject, [_profile(e) for e in candidates], label)[:25]
    ]


@dataclass(frozen=True)
class Flag:
    escalation_id: int
    text: str


def reescalation_flags(
    escalation_id: int,
    opened_at: datetime,
    reopen_count: int,
    others: list[tuple[int, str, datetime, int]],
    own_open_actions: int,
) -> list[Flag]:
    """Flags for one escalation. `others`: the account's other escalations as (id, code,
    opened_at, open follow-up actions on their post-mortem).

    - Opened (or re-opened) while an earlier escalation's post-mortem has open actions.
    - Its own post-mortem has open actions and the account escalated again since
      (a later escalation, or this one re-opened)."""
    flags = []
    for other_id, code, other_opened, open_actions in others:
        if open_actions and other_opened < opened_at:
            flags.append(
                Flag(other_id, f"Re-escalation: {code}'s post-mortem still has "
                     f"{open_actions} open follow-up action{'s' if open_actions != 1 else ''}.")
            )  # fmt: skip
        if own_open_actions and other_opened > opened_at:
            flags.append(
                Flag(other_id, f"The account escalated again ({code}) while this "
                     f"post-mortem's follow-up actions are open.")
            )  # fmt: skip
    if own_open_actions and reopen_count:
        flags.append(
            Flag(escalation_id, "Re-opened while this post-mortem's follow-up actions are open.")
        )
    return flags


def flags_for(escalation: Escalation) -> list[Flag]:
    """Load the account's escalations with their open follow-up counts (one query)."""
    rows = (
        Escalation.objects.filter(account_id=escalation.account_id)
        .annotate(
            open_actions=Count(
                "post_mortem__follow_ups",
                filter=Q(post_mortem__follow_ups__status=FollowUp.Status.OPEN),
            )
        )
        .values_list("pk", "opened_at", "open_actions")
    )
    own, others = 0, []
    for pk, opened, open_actions in rows:
        if pk == escalation.pk:
            own = open_actions
        else:
            others.append((pk, f"ESC-{pk:04d}", opened, open_actions))
    return reescalation_flags(
        escalation.pk,
        escalation.opened_at,
        escalation.reopen_count,
        others,
        own,
    )


@dataclass
class Cluster:
    label: str
    escalation_ids: list[int]
    accounts: int
    arr: Decimal


def clusters(profiles: list[Profile]) -> list[Cluster]:
    """Root causes and contributing factors shared by escalations of two or more
    accounts, the largest ARR at risk first (each account's ARR counted once)."""
    members: dict[str, list[Profile]] = {}
    for p in profiles:
        if p.category:
            members.setdefault(f"Root cause: {p.category}", []).append(p)
        for factor in p.factors:
            members.setdefault(f"Contributing factor: {factor}", []).append(p)
    found = []
    for label, group in members.items():
        arr_by_account = {p.account_id: p.arr for p in group}
        if len(arr_by_account) < 2:
            continue
        found.append(
            Cluster(
                label,
                [p.escalation_id for p in sorted(group, key=lambda p: -p.arr)],
                len(arr_by_account),
                sum(arr_by_account.values(), Decimal(0)),
            )
        )
    return sorted(found, key=lambda c: (-c.arr, c.label))


def finder_page(now: datetime) -> dict:
    """The systemic-issue page: shared causes of the last 180 days, and the problems
    people linked."""
    recent = list(
        Escalation.objects.filter(opened_at__gte=now - WINDOW, post_mortem__isnull=False)
        .select_related("account", "post_mortem__root_cause_category")
        .prefetch_related("post_mortem__contributing_factors")
    )
    by_id = {e.pk: e for e in recent}
    shared = [
        {"cluster": c, "escalations": [by_id[i] for i in c.escalation_ids]}
        for c in clusters([_profile(e) for e in recent])
    ]
    linked: dict[int, list[Escalation]] = {}
    for e in Escalation.objects.filter(problem__isnull=False).select_related("account"):
        linked.setdefault(e.problem_id, []).append(e)
    problems = sorted(
        (
            {
                "id": group_id,
                "escalations": sorted(items, key=lambda e: -(e.account.arr or 0)),
                "arr": sum({e.account_id: e.account.arr or 0 for e in items}.values()),
            }
            for group_id, items in linked.items()
        ),
        key=lambda p: -p["arr"],
    )
    return {"shared": shared, "problems": problems}
