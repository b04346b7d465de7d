"""The VIP queue and the unmatched queue as querysets, and the whitelisted filters.

Only the fields of QueueFilters reach the ORM: an unknown parameter is ignored and
a value outside a field's choices is dropped (the page then shows the filter's
error next to it), never passed on as a lookup."""

from django import forms
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Concat

from accounts.models import VIP_TIERS, Account, AccountDomain, Tier
from tickets.models import Agent, AgentPool, Queue, Ticket, current_sla_due
from vipdesk.lib.pagination import MAX_PAGE

SORTS = {
    "sla": ("due", "id"),
    "created": ("created_at", "id"),
    "priority": ("effective_priority", "due", "id"),
    "tier": ("tier", "due", "id"),
}


class QueueFilters(forms.Form):
    tier = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "All tiers")] + [(t.value, t.label) for t in VIP_TIERS],
    )
    pool = forms.ModelChoiceField(
        required=False, queryset=AgentPool.objects.all(), empty_label="All pools"
    )
    # A search, not a list of every agent (401 options were half the page's time).
    agent = forms.CharField(
        required=False,
        max_length=100,
        strip=True,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "Name or username", "autocomplete": "off"}
        ),
    )
    status = forms.ChoiceField(
        required=False,
        choices=[("", "Any open status")]
        + [(s.value, s.label) for s in Ticket.Status if s in Ticket.OPEN_STATUSES]
        + [("unassigned", "Unassigned")],
    )
    mine = forms.BooleanField(required=False, label="Only mine")
    sort = forms.ChoiceField(
        required=False,
        choices=[
            ("", "SLA remaining"),
            ("created", "Oldest first"),
            ("priority", "Priority"),
            ("tier", "Tier"),
        ],
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE)

    def clean_agent(self) -> str:
        text = self.cleaned_data["agent"]
        if text and not agents_named(text).exists():
            raise forms.ValidationError(f"no agent is called {text!r}")
        return text

    def values(self) -> dict:
        """The valid filters only; an invalid field counts as not given."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {k: v for k, v in data.items() if k not in self.errors}


def with_due(qs: QuerySet) -> QuerySet:
    """Annotate `due`: the SLA that matters now (Ticket.sla_due, in SQL)."""
    return qs.annotate(due=current_sla_due())


def vip_tickets() -> QuerySet:
    """Open routed VIP tickets (Ticket.is_vip)."""
    return Ticket.objects.open().vip().filter(routed=True).exclude(queue=Queue.UNMATCHED)


def filter_queue(qs: QuerySet, filters: dict, user) -> QuerySet:
    if filters.get("tier"):
        qs = qs.filter(tier=filters["tier"])
    if filters.get("pool"):
        qs = qs.filter(assigned_agent__pools=filters["pool"])
    if filters.get("agent"):
        qs = qs.filter(assigned_agent__in=agents_named(filters["agent"]).values("pk"))
    status = filters.get("status")
    if status == "unassigned":
        qs = qs.filter(assigned_agent__isnull=True)
    elif status:
        qs = qs.filter(status=status)
    if filters.get("mine"):
        qs = qs.filter(assigned_agent__user=user)
    return qs


def agents_named(text: str) -> QuerySet:
    """Agents whose full name or username contains `text`; a number is an agent's id
    (links from other pages)."""
    if text.isdigit():
        return Agent.objects.filter(pk=int(text))
    full_name = Concat("user__first_name", Value(" "), "user__last_name")
    return Agent.objects.annotate(full_name=full_name).filter(
        Q(full_name__icontains=text) | Q(user__username__icontains=text)
    )


# What a queue row shows (templates/tickets/queue.html): loading whole tickets and
# accounts decoded their bodies and JSON columns (tags, routing reasons, risk factors,
# usage) for 50 rows that print none of them.
ROW_FIELDS = (
    "id",
    "subject",
    "status",
    "tier",
    "executive_contact",
    "possible_vip",
    "churn_signals",
    "effective_priority",
    "customer_priority",
    "created_at",
    "first_response_at",
    "account__name",
    "assigned_agent__user__username",
    "assigned_agent__user__first_name",
    "assigned_agent__user__last_name",
)


def vip_queue(filters: dict, user) -> QuerySet:
    sort = SORTS[filters.get("sort") or "sla"]
    qs = filter_queue(with_due(vip_tickets()), filters, user)
    ordering = [F(f).asc(nulls_last=True) if f == "due" else F(f).asc() for f in sort]
    return (
        qs.select_related("account", "assigned_agent__user").only(*ROW_FIELDS).order_by(*ordering)
    )


def unmatched_tickets() -> QuerySet:
    return (
        Ticket.objects.open()
        .filter(queue=Queue.UNMATCHED, account__isnull=True)
        .select_related("assigned_agent__user")
        .order_by("created_at", "id")
    )


def search_accounts(q: str, limit: int = 10) -> list[Account]:
    """Accounts whose name contains q or one of whose domains starts with it."""
    q = (q or "").strip()
    if len(q) < 2:
        return []
    domain_hits = AccountDomain.objects.filter(domain__istartswith=q.lower()).values("account_id")
    return list(
        Account.objects.filter(Q(name__icontains=q) | Q(pk__in=domain_hits))
        .only("id", "name", "tier", "arr")
        .prefetch_related("domains")
        .order_by("tier", "name")[:limit]
    )


def suggested_accounts(tickets: list[Ticket]) -> dict[int, Account]:
    """ticket id -> the account whose domain matches the requester's e-mail domain
    (one query for the whole page)."""
    wanted = {}
    for t in tickets:
        if t.requester_email and "@" in t.requester_email:
            wanted[t.pk] = t.requester_email.rsplit("@", 1)[1].lower()
    if not wanted:
        return {}
    by_domain = {
        d.domain: d.account
        for d in AccountDomain.objects.filter(domain__in=set(wanted.values())).select_related(
            "account"
        )
    }
    return {pk: by_domain[dom] for pk, dom in wanted.items() if dom in by_domain}


TIER_LABELS = {t.value: t.label for t in Tier}
