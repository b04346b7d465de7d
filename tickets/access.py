"""Who may see and do what with tickets, pools and alerts.

Decisions (tested in tests/security/test_queue_access.py):
- The VIP queue, the unmatched queue and /pools/ are support pages: agents, leads and
  admins. CSMs get 403 there and reach tickets from the account and escalation pages.
- One visibility rule for a ticket, on the ticket, account and escalation pages alike:
  whoever may open account pages (accounts/access.py ACCOUNT_ROLES: CSMs, who cover
  for each other, leads, admins, agents) may read every ticket; working it is for
  support staff.
- Assigning and re-assigning is for leads and admins; recording a first response
  for agents, leads and admins.
- Pool management (members, PTO) needs the `tickets.manage_pools` permission (leads,
  admins); it is global, not per pool: the support team is one team.
- Alerts are private: another user's alert id is a 404.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.access import ACCOUNT_ROLES
from tickets.models import Agent, AgentPool, PtoPeriod, Ticket
from vipdesk.lib.roles import Role, has_role

SUPPORT_ROLES = (Role.AGENT, Role.LEAD, Role.ADMIN)


def _int_or_404(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def is_support(user) -> bool:
    return has_role(user, *SUPPORT_ROLES)


def can_assign(user) -> bool:
    return has_role(user, Role.LEAD, Role.ADMIN)


def can_respond(user) -> bool:
    return is_support(user)


def can_manage_pools(user) -> bool:
    return user.has_perm("tickets.manage_pools")


def require_support(request) -> None:
    if not is_support(request.user):
        raise PermissionDenied


def require_pool_manager(request) -> None:
    if not can_manage_pools(request.user):
        raise PermissionDenied


def ticket_queryset():
    return Ticket.objects.select_related(
        "account", "account__csm", "contact", "assigned_agent__user"
    )


def get_ticket_for_user(request, ticket_id, *, for_update: bool = False) -> Ticket:
    """The ticket for anyone who may read account pages (the one ticket visibility rule,
    see above); anyone else is refused."""
    if not has_role(request.user, *ACCOUNT_ROLES):
        raise PermissionDenied
    ticket = ticket_queryset().filter(pk=_int_or_404(ticket_id)).first()
    if ticket is None:
        raise Http404
    return ticket


def _get_for_manager(request, queryset, pk):
    require_pool_manager(request)
    obj = queryset.filter(pk=_int_or_404(pk)).first()
    if obj is None:
        raise Http404
    return obj


def get_pool_for_manager(request, pool_id) -> AgentPool:
    return _get_for_manager(request, AgentPool.objects.all(), pool_id)


def get_agent_for_manager(request, agent_id) -> Agent:
    return _get_for_manager(request, Agent.objects.select_related("user"), agent_id)


def get_pto_for_manager(request, pto_id) -> PtoPeriod:
    return _get_for_manager(request, PtoPeriod.objects.select_related("agent__user"), pto_id)
