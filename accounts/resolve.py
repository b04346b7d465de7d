"""Finding accounts by what people and files call them: the account's id, one of its
domains, or its name (case-insensitive). The one resolver behind the ticket API, the
CSV imports and the forms. A reference that fits several accounts is an error, never
a guess."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

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
    """What each reference (normalised) matched: one account id, or several."""

    matches: dict[str, frozenset[int]]

    def account_id(self, ref) -> int | None:
        """The account `ref` names, None when none does; AmbiguousAccount when several do."""
        ids = self.matches.get(normalise(ref), frozenset())
        if len(ids) > 1:
            raise AmbiguousAccount(str(ref).strip(), ids)
        return next(iter(ids), None)


def resolve_refs(refs: Iterable) -> AccountRefs:
    """Resolve many references at once (a CSV chunk): three queries however many."""
    wanted = {normalise(r) for r in refs} - {""}
    matches: dict[str, set[int]] = defaultdict(set)
    if wanted:
        by_name = Account.objects.annotate(lname=Lower("name")).filter(lname__in=wanted)
        for ref, pk in by_name.values_list("lname", "pk"):
            matches[ref].add(pk)
        by_domain = AccountDomain.objects.filter(domain__in=wanted)
        for ref, pk in by_domain.values_list("domain", "account_id"):
            matches[ref].add(pk)
        ids = {int(r) for r in wanted if r.isdigit()}
        for pk in Account.objects.filter(pk__in=ids).values_list("pk", flat=True):
            matches[str(pk)].add(pk)
    return AccountRefs({ref: frozenset(ids) for ref, ids in matches.items()})


def resolve_account(ref) -> Account | None:
    """The account `ref` names (None when none does); AmbiguousAccount when several do."""
    account_id = resolve_refs([ref]).account_id(ref)
    return None if account_id is None else Account.objects.get(pk=account_id)
