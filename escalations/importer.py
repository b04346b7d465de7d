"""import_escalations: history from a previous tool (SPEC's columns), idempotent on
external_id, all or nothing. parse_row is pure (one row -> an ImportRow or the row's
errors); write() upserts the escalations and adds the events their times imply that
are not on the timeline yet (events are append-only: a re-import adds nothing new)."""

import csv
from dataclasses import dataclass, field
from datetime import datetime
from typing import TextIO

from django.db import transaction
from django.utils.dateparse import parse_datetime

from accounts.models import Account
from accounts.resolve import AmbiguousAccount, resolve_account
from escalations.models import Escalation, EscalationEvent, Severity
from vipdesk.lib.bulk import analyze

COLUMNS = ["external_id", "account", "type", "severity", "summary", "opened_at",
           "acknowledged_at", "resolved_at", "closed_at", "reopened_at", "csat"]  # fmt: skip
S = Escalation.Status


@dataclass
class ImportRow:
    line: int
    external_id: str
    account: str
    type: str
    severity: str
    summary: str
    opened_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    reopened: list[datetime] = field(default_factory=list)
    csat: int | None = None

    @property
    def status(self) -> str:
        if self.closed_at:
            return S.CLOSED
        if self.resolved_at:
            return S.RESOLVED
        if self.acknowledged_at and not self.reopened:
            return S.ACKNOWLEDGED
        return S.OPEN

    def timeline(self) -> list[tuple[datetime, str, str, str, str]]:
        """(at, kind, from, to, text) in order: opened, acknowledged, each re-opening,
        the latest resolution and closing."""
        events = [(self.opened_at, "opened", "", S.OPEN, "Opened (imported).")]
        if self.acknowledged_at:
            events.append((self.acknowledged_at, "status", S.OPEN, S.ACKNOWLEDGED, "Acknowledged."))
        for n, at in enumerate(self.reopened, 1):
            events.append((at, "reopened", S.CLOSED, S.OPEN, f"Re-opened (re-escalation {n})."))
        previous = events[-1][3]
        if self.resolved_at:
            events.append((self.resolved_at, "status", previous, S.RESOLVED, "Resolved."))
            previous = S.RESOLVED
        if self.closed_at:
            events.append((self.closed_at, "status", previous, S.CLOSED, "Closed."))
        return events


def _time(row: dict, name: str, errors: list[str]) -> datetime | None:
    value = (row.get(name) or "").strip()
    if not value:
        return None
    parsed = parse_datetime(value)
    if parsed is None or parsed.tzinfo is None:
        errors.append(f"{name} “{value}” is not an ISO 8601 time with a UTC offset")
    return parsed if parsed is not None and parsed.tzinfo is not None else None


def parse_row(row: dict, line: int) -> ImportRow | list[str]:
    errors: list[str] = []
    text = {k: (row.get(k) or "").strip() for k in ("external_id", "account", "summary")}
    for name in ("external_id", "account", "summary", "opened_at"):
        if not (row.get(name) or "").strip():
            errors.append(f"{name} is empty")
    type_ = (row.get("type") or "").strip().lower()
    if type_ not in Escalation.Type.values:
        errors.append(f"type “{type_}” is not one of {', '.join(Escalation.Type.values)}")
    severity = (row.get("severity") or "").strip().lower()
    if severity not in Severity.values:
        errors.append(f"severity “{severity}” is not one of {', '.join(Severity.values)}")
    opened = _time(row, "opened_at", errors)
    acknowledged = _time(row, "acknowledged_at", errors)
    resolved = _time(row, "resolved_at", errors)
    closed = _time(row, "closed_at", errors)
    reopened = []
    for value in (row.get("reopened_at") or "").split(";"):
        if value.strip():
            reopened.append(_time({"reopened_at": value}, "reopened_at", errors))
    csat_text = (row.get("csat") or "").strip()
    csat = int(csat_text) if csat_text.isdigit() and 1 <= int(csat_text) <= 5 else None
    if csat_text and csat is None:
        errors.append(f"csat “{csat_text}” is not a whole number from 1 to 5")
    if errors:
        return errors
    reopened = sorted(r for r in reopened if r is not None)
    for name, at in (("acknowledged_at", acknowledged), ("resolved_at", resolved),
                     ("closed_at", closed), *(("reopened_at", r) for r in reopened)):  # fmt: skip
        if at is not None and at < opened:
            errors.append(f"{name} {at.isoformat()} is before opened_at")
    last_reopen = reopened[-1] if reopened else None
    for name, at in (("resolved_at", resolved), ("closed_at", closed)):
        if at is not None and last_reopen is not None and at < last_reopen:
            errors.append(f"{name} is before the last re-opening: leave it empty if still open")
    if resolved and closed and closed < resolved:
        errors.append("closed_at is before resolved_at")
    if errors:
        return errors
    return ImportRow(
        line, text["external_id"][:100], text["account"], type_, severity, text["summary"][:300],
        opened, acknowledged, resolved, closed, reopened, csat,
    )  # fmt: skip


@dataclass
class Report:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


def read(handle: TextIO) -> tuple[list[ImportRow], list[str]]:
    """Every row parsed, or every row's errors ("line N: ...")."""
    reader = csv.DictReader(handle)
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        return [], [f"missing columns: {', '.join(missing)}"]
    rows, errors, seen = [], [], {}
    for line, raw in enumerate(reader, start=2):
        parsed = parse_row(raw, line)
        if isinstance(parsed, list):
            errors.extend(f"line {line}: {e}" for e in parsed)
            continue
        if parsed.external_id in seen:
            errors.append(f"line {line}: external_id “{parsed.external_id}” repeats line "
                          f"{seen[parsed.external_id]}")  # fmt: skip
            continue
        seen[parsed.external_id] = line
        rows.append(parsed)
    return rows, errors


def import_escalations(handle: TextIO) -> Report:
    """Read, check every row, then write all of them in one transaction (or none)."""
    rows, errors = read(handle)
    accounts: dict[str, Account | None] = {}
    for row in rows:
        if row.account not in accounts:
            try:
                accounts[row.account] = resolve_account(row.account)
            except AmbiguousAccount as error:
                errors.append(f"line {row.line}: {error}")
                continue
        if accounts[row.account] is None:
            errors.append(f"line {row.line}: no account matches “{row.account}”")
    if errors:
        return Report(errors=errors)
    report = Report()
    with transaction.atomic():
        for row in rows:
            created = write(row, accounts[row.account])
            report.created += created
            report.updated += not created
    # This PostgreSQL may run without autovacuum: fresh rows unanalyzed make bad plans.
    analyze([Escalation, Escalation.tickets.through, EscalationEvent])
    return report


def write(row: ImportRow, account: Account) -> bool:
    values = {
        "account": account,
        "type": row.type,
        "severity": row.severity,
        "summary": row.summary,
        "status": row.status,
        "source": Escalation.Source.IMPORT,
        "opened_at": row.opened_at,
        "acknowledged_at": row.acknowledged_at,
        "resolved_at": row.resolved_at,
        "closed_at": row.closed_at,
        "reopened_at": row.reopened[-1] if row.reopened else None,
        "reopen_count": len(row.reopened),
        "csat": row.csat,
    }
    escalation, created = Escalation.objects.update_or_create(
        external_id=row.external_id,
        defaults=values,
        create_defaults={**values, "owner_id": account.csm_id},
    )
    have = set(escalation.events.values_list("at", "kind", "to_value"))
    EscalationEvent.objects.bulk_create(
        EscalationEvent(
            escalation=escalation, at=at, kind=kind, from_value=from_, to_value=to, text=text
        )  # fmt: skip
        for at, kind, from_, to, text in row.timeline()
        if (at, kind, to) not in have
    )
    return created
