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
    }
