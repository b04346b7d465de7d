"""The escalation matrix as pure rules: the owners at each level, the people behind a
level's roles, when an escalation may move up, and when an imminent breach moves it up
by itself (once per breach). No database access."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from escalations.models import MatrixRole

# The words an admin writes in EscalationMatrixLevel.owners ("CSM + Manager").
ROLE_NAMES = {
    "csm": MatrixRole.CSM,
    "manager": MatrixRole.CS_MANAGER,
    "cs manager": MatrixRole.CS_MANAGER,
    "vp cs": MatrixRole.VP_CS,
    "vp eng": MatrixRole.VP_ENG,
    "cro": MatrixRole.CRO,
    "cto": MatrixRole.CTO,
}


def parse_owners(owners: str) -> list[str]:
    """ "CSM + Manager" -> ["csm", "cs_manager"]; ValueError naming an unknown role."""
    roles = []
    for part in owners.split("+"):
        name = " ".join(part.split()).lower()
        if name not in ROLE_NAMES:
            known = ", ".join(sorted({r.label for r in MatrixRole}))
            raise ValueError(f"“{part.strip()}” is not a role (known: {known}, Manager).")
        roles.append(ROLE_NAMES[name])
    return roles


def people(roles: list[str], account_csm, holders: dict[str, list]) -> list:
    """The people behind the roles (ids or users alike): the account's CSM for "csm",
    the mapped holders otherwise; each once, in role order."""
    found: list = []
    for role in roles:
        for person in [account_csm] if role == MatrixRole.CSM else holders.get(role, []):
            if person is not None and person not in found:
                found.append(person)
    return found


def level_up_refusal(code: str, level: int, path: dict[int, str], reason: str) -> str:
    """Why a manual level-up cannot happen ("" if it can)."""
    if not reason.strip():
        return "Say why it moves up: the new level reads it."
    if level + 1 not in path:
        top = f" ({level}: {path[level]})" if level in path else ""
        return f"{code} is already at the final level of its matrix{top}."
    return ""


@dataclass(frozen=True)
class Breach:
    clock: str  # "response" or "resolution"
    due: datetime

    def sentence(self, now: datetime, level: int, owners: str, *, moved: bool = True) -> str:
        when = "breached" if self.due <= now else f"due at {self.due:%H:%M} UTC"
        if not moved:
            return f"The {self.clock} SLA is {when}; already at the final level ({owners})."
        return (
            f"Moved up to level {level} ({owners}) automatically: the {self.clock} SLA is {when}."
        )


def imminent_breach(
    response_due: datetime | None,
    responded: bool,
    resolution_due: datetime | None,
    raised_response_due: datetime | None,
    raised_resolution_due: datetime | None,
    warning: timedelta,
    now: datetime,
) -> Breach | None:
    """The breach to move up for now, if any: a running clock due within `warning` (or
    past due) that has not moved the escalation up yet (the due time it moved up for is
    remembered, so each breach counts once; a re-opening restarts the clocks)."""
    if (
        not responded
        and response_due is not None
        and response_due - now <= warning
        and raised_response_due != response_due
    ):
        return Breach("response", response_due)
    if (
        resolution_due is not None
        and resolution_due - now <= warning
        and raised_resolution_due != resolution_due
    ):
        return Breach("resolution", resolution_due)
    return None
