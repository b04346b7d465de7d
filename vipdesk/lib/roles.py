"""The four roles (Django groups) and what each may do."""

from functools import wraps

from django.core.exceptions import PermissionDenied


class Role:
    CSM = "CSM"
    LEAD = "Support lead"
    AGENT = "Agent"
    ADMIN = "Admin"
    ALL = (CSM, LEAD, AGENT, ADMIN)


POLICY_MODELS = [
    "accounts.tierpolicy",
    "accounts.scoreweights",
    "accounts.cadencepolicy",
    "tickets.slapolicy",
    "tickets.routingpolicy",
    "tickets.churnphrase",
    "tickets.supportcalendar",
    "tickets.followuppolicy",
    "tasks.taskpolicy",
    "tickets.businesshours",
    "tickets.holiday",
    "tickets.apitoken",
    "sso.grouprole",
    "escalations.severitypolicy",
    "escalations.escalationmatrixlevel",
    "escalations.playbookpolicy",
    "escalations.roleholder",
    "escalations.typeowners",
    "escalations.goodwillapprovalrule",
    "escalations.reportpolicy",
]
DATA_MODELS = [
    "accounts.account",
    "accounts.accountdomain",
    "accounts.contact",
    "tickets.agent",
    "tickets.agentpool",
    "tickets.ptoperiod",
    "tickets.ticket",
    "tickets.inboxdelivery",
    "escalations.escalation",
    "tasks.task",
]

# role -> list of "app_label.codename" (or "app_label.model:*" for all four CRUD perms)
ROLE_PERMISSIONS = {
    Role.ADMIN: [f"{m}:*" for m in POLICY_MODELS + DATA_MODELS]
    + ["accounts.view_policychange", "tickets.manage_pools", "escalations.view_escalationevent"],
    Role.LEAD: [
        "tickets.manage_pools",
        "tickets.change_ticket",
        "tickets.view_ticket",
        "tickets.add_ptoperiod",
        "tickets.change_ptoperiod",
        "tickets.delete_ptoperiod",
        "accounts.view_account",
        "escalations.view_escalation",
    ],
    Role.CSM: [
        "accounts.view_account",
        "accounts.change_account",
        "accounts.add_csmnote",
        "accounts.add_riskflagfeedback",
        "tickets.view_ticket",
        "escalations.add_escalation",
        "escalations.change_escalation",
        "escalations.view_escalation",
    ],
    Role.AGENT: ["tickets.view_ticket", "tickets.change_ticket", "accounts.view_account"],
}


def _expand(spec: str) -> list[tuple[str, str]]:
    app_label, rest = spec.split(".", 1)
    if rest.endswith(":*"):
        model = rest[:-2]
        return [(app_label, f"{action}_{model}") for action in ("add", "change", "delete", "view")]
    return [(app_label, rest)]


def ensure_groups() -> None:
    from django.contrib.auth.models import Group, Permission

    for role, specs in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = [pair for spec in specs for pair in _expand(spec)]
        perms = Permission.objects.filter(
            content_type__app_label__in={a for a, _ in wanted},
            codename__in={c for _, c in wanted},
        )
        wanted_set = set(wanted)
        group.permissions.set(
            [p for p in perms if (p.content_type.app_label, p.codename) in wanted_set]
        )


def ensure_groups_after_migrate(**kwargs) -> None:
    ensure_groups()


def roles_of(user) -> set[str]:
    if not user.is_authenticated:
        return set()
    if not hasattr(user, "_vipdesk_roles"):
        names = {g.name for g in user.groups.all()}
        if user.is_superuser:
            names.add(Role.ADMIN)
        user._vipdesk_roles = names
    return user._vipdesk_roles


def has_role(user, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))


def role_required(*roles: str):
    """View decorator: 403 unless the user has one of the roles (login is checked by
    the middleware)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
