"""Who may see and change escalations.

Decisions (tested in tests/escalations/test_access.py):
- CSMs, support leads and admins see every escalation (CSMs cover for each other, as
  on the account pages). Agents may read them too: an escalation is the context behind
  the VIP tickets they work; they change nothing (unless they are its owner).
- Running one (moving it along, levelling up, actions, communications, risks, goodwill
  proposals) is for the account's own CSM, the escalation's owner, leads and admins.
  Approving goodwill is checked by matrix role in escalations/actions.py, whoever asks.
- Opening one is for CSMs, leads and admins.
- An unknown id is a 404, a user without one of these roles a 403.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.access import can_edit_account, is_lead_or_admin
from escalations.models import Escalation
from vipdesk.lib.roles import Role, has_role

VIEW_ROLES = (Role.CSM, Role.LEAD, Role.ADMIN, Role.AGENT)


def require_viewer(request) -> None:
    if not has_role(request.user, *VIEW_ROLES):
        raise PermissionDenied


OPEN_ROLES = (Role.CSM, Role.LEAD, Role.ADMIN)


def can_run(user, escalation: Escalation) -> bool:
    if is_lead_or_admin(user) or escalation.owner_id == user.pk:
        return True
    return can_edit_account(user, escalation.account)


def require_runner(request, escalation: Escalation) -> None:
    if not can_run(request.user, escalation):
        raise PermissionDenied


def require_opener(request) -> None:
    if not has_role(request.user, *OPEN_ROLES):
        raise PermissionDenied


def _parse_id(value) -> int:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise Http404("No such escalation") from None
    if pk <= 0 or pk > 2**63 - 1:
        raise Http404("No such escalation")
    return pk


def get_escalation_for_user(request, escalation_id, *, queryset=None) -> Escalation:
    """The escalation, or 404 when it does not exist, 403 when the user may not see it."""
    require_viewer(request)
    queryset = Escalation.objects.select_related("account") if queryset is None else queryset
    escalation = queryset.filter(pk=_parse_id(escalation_id)).first()
    if escalation is None:
        raise Http404("No such escalation")
    return escalation
