"""Who may see and change an account.

- CSMs, support leads and admins may view every account (the board and the 360 page):
  CSMs cover for each other and review at-risk accounts across the book.
- Agents may read an account's 360 page (the context behind a VIP ticket) but not the
  at-risk board or the dashboard, and may change nothing.
- Only the account's own CSM, a support lead or an admin may add notes, mark risk
  flags or change the intervention.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.models import Account
from vipdesk.lib.roles import Role, has_role

BOARD_ROLES = (Role.CSM, Role.LEAD, Role.ADMIN)
ACCOUNT_ROLES = (Role.CSM, Role.LEAD, Role.ADMIN, Role.AGENT)
DASHBOARD_ROLES = (Role.CSM, Role.LEAD, Role.ADMIN)


def is_lead_or_admin(user) -> bool:
    return has_role(user, Role.LEAD, Role.ADMIN)


def can_edit_account(user, account: Account) -> bool:
    """Notes, flag verdicts and the intervention: the owning CSM, leads and admins."""
    if is_lead_or_admin(user):
        return True
    return has_role(user, Role.CSM) and account.csm_id == user.pk


def _parse_id(account_id) -> int:
    try:
        value = int(account_id)
    except (TypeError, ValueError):
        raise Http404("No such account") from None
    if value <= 0 or value > 2**63 - 1:
        raise Http404("No such account")
    return value


def get_account_for_user(request, account_id, *, edit: bool = False, queryset=None) -> Account:
    """The account, or 404 when it does not exist, 403 when the user may not see it
    (or, with edit=True, may not change it)."""
    if not has_role(request.user, *ACCOUNT_ROLES):
        raise PermissionDenied
    queryset = Account.objects.all() if queryset is None else queryset
    try:
        account = queryset.get(pk=_parse_id(account_id))
    except Account.DoesNotExist:
        raise Http404("No such account") from None
    if edit and not can_edit_account(request.user, account):
        raise PermissionDenied
    return account
