"""Finding accounts by what people and files call them: the account's id, one of its
domains, or its name (case-insensitive). The one resolver behind the ticket API, the
CSV imports, the forms and ticket intake. A reference that fits several accounts is an
error, never a guess.

Set-based: `resolve_refs` looks up a whole batch (a CSV chunk, an intake batch) in one
query per kind of name (ids, names, domains), however many references it holds."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models.functions import Lower

from accounts.models import Account, AccountDomain


class AmbiguousAccount(ValueError):
    def __init__(self, ref: str, ids: Iterable[int]):
        listed = ", ".join(str(i) for i in sorted(ids))
        super().__init__(f"{ref!r} matches several accounts (ids {listed}): use the account's id.")


def normalise(ref) -> str:
    return "" if ref is None else str(ref).strip().lower()


@dataclass(frozen=True)
class AccountRefs:
    """What each reference (normalised) matched, by kind: account ids per id, name and
    domain."""

    by_id: dict[str, frozenset[int]] = field(default_factory=dict)
    by_name: dict[str, frozenset[int]] = field(default_factory=dict)
    by_domain: dict[str, frozenset[int]] = field(default_factory=dict)

    def account_id(self, ref) -> int | None:
        """The account `ref` (an id, a domain or a name) names, None when none does;
        AmbiguousAccount when several do."""
        key = normalise(ref)
        ids = self.by_id.get(key, frozenset()) | self.by_name.get(key, frozenset())
        ids |= self.by_domain.get(key, frozenset())
        if len(ids) > 1:
            raise AmbiguousAccount(str(ref).strip(), ids)
        return next(iter(ids), None)

    def named(self, name) -> int | None:
        """The account with this name (case-insensitive), else None."""
        return min(self.by_name.get(normalise(name), ()), default=None)

    def with_domain(self, domain) -> int | None:
        """The account owning this e-mail domain, else None."""
        return min(self.by_domain.get(normalise(domain), ()), default=None)


def resolve_refs(
    refs: Iterable = (), *, names: Iterable = (), domains: Iterable = ()
) -> AccountRefs:
    """Resolve many references at once: `refs` may be ids, domains or names; `names`
    only names, `domains` only domains. One query per kind, however many."""
    refs = {normalise(r) for r in refs} - {""}
    wanted_names = (refs | {normalise(n) for n in names}) - {""}
    wanted_domains = (refs | {normalise(d) for d in domains}) - {""}
    by_id: dict[str, set[int]] = defaultdict(set)
    by_name: dict[str, set[int]] = defaultdict(set)
    by_domain: dict[str, set[int]] = defaultdict(set)
    if wanted_names:
        found = Account.objects.annotate(lname=Lower("name")).filter(lname__in=wanted_names)
        for ref, pk in found.values_list("lname", "pk"):
            by_name[ref].add(pk)
    if wanted_domains:
        found = AccountDomain.objects.filter(domain__in=wanted_domains)
        for ref, pk in found.values_list("domain", "account_id"):
            by_domain[ref].add(pk)
    ids = {int(r) for r in refs if r.isdigit() and len(r) < 19}
    if ids:
        for pk in Account.objects.filter(pk__in=ids).values_list("pk", flat=True):
            by_id[str(pk)].add(pk)

    def frozen(matches):
        return {k: frozenset(v) for k, v in matches.items()}

    return AccountRefs(frozen(by_id), frozen(by_name), frozen(by_domain))


def resolve_account(ref) -> Account | None:
    """The account `ref` names (None when none does); AmbiguousAccount when several do."""
    account_id = resolve_refs([ref]).account_id(ref)
    return None if account_id is None else Account.objects.get(pk=account_id)
