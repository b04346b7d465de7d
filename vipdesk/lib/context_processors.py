from django.db.models import Count, Q
from django.utils import timezone

from vipdesk.lib.roles import Role, roles_of


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = roles_of(user)
    return {
        "user_roles": roles,
        "is_lead": Role.LEAD in roles or Role.ADMIN in roles,
        "is_admin": Role.ADMIN in roles,
        "unread_alerts": user.alerts.filter(read_at__isnull=True).count(),
        # The user's open tasks (vipdesk/tasks sits above this module: the reverse
        # relation reaches it without an import).
        "my_tasks": user.tasks.filter(status="open").aggregate(
            open=Count("pk"), overdue=Count("pk", filter=Q(due_at__lte=timezone.now()))
        ),
    }
