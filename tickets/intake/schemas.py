"""Validated input shared by POST /api/v1/tickets and `import_tickets` (one validator)."""

import re
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from ninja import Schema
from pydantic import Field, field_validator

from tickets.intake.ingest import Incoming, time_error

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _blank_to_none(value):
    return None if isinstance(value, str) and not value.strip() else value


class TicketIn(Schema):
    external_id: str = Field(min_length=1, max_length=100)
    account: int | str | None = None
    contact_email: str | None = None
    contact_name: str = Field("", max_length=200)
    contact_title: str = Field("", max_length=200)
    subject: str = Field(min_length=1, max_length=500)
    body: str = ""
    priority: Literal["P1", "P2", "P3", "P4"]
    created_at: datetime | None = None

    @field_validator("external_id", mode="before")
    @classmethod
    def _id_as_text(cls, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return value.strip() if isinstance(value, str) else value

    @field_validator("account", "contact_email", "created_at", mode="before")
    @classmethod
    def _blank(cls, value):
        return _blank_to_none(value)

    @field_validator("contact_name", "contact_title", "body", mode="before")
    @classmethod
    def _none_to_empty(cls, value):
        return "" if value is None else value

    @field_validator("contact_email")
    @classmethod
    def _email(cls, value):
        if value is not None and not EMAIL.match(value.strip()):
            raise ValueError("not an e-mail address")
        return value.strip().lower() if value else value

    @field_validator("priority", mode="before")
    @classmethod
    def _priority(cls, value):
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("created_at")
    @classmethod
    def _created_at(cls, value: datetime | None):
        """Naive times are in settings.TIME_ZONE; the range is ingest.time_error's."""
        if value is None:
            return None
        if timezone.is_naive(value):
            value = value.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))
        problem = time_error(value, timezone.now())
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("subject")
    @classmethod
    def _subject(cls, value: str):
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()

    def to_incoming(self, source: str) -> Incoming:
        return Incoming(
            source=source,
            external_id=self.external_id,
            subject=self.subject,
            body=self.body,
            priority=self.priority,
            created_at=self.created_at or timezone.now(),
            requester_name=self.contact_name,
            requester_email=self.contact_email or "",
            requester_title=self.contact_title,
            account_ref=self.account,
        )


class IdOut(Schema):
    id: int


class ErrorOut(Schema):
    error: str
    field: str | None = None


class AccountRef(Schema):
    id: int
    name: str


class AgentRef(Schema):
    id: int
    name: str


class ChurnSignalOut(Schema):
    phrase: str
    kind: str
    weight: int
    excerpt: str = ""
    start: int | None = None
    end: int | None = None


class TicketOut(Schema):
    id: int
    external_id: str
    account: AccountRef | None
    tier: int | None
    customer_priority: str
    effective_priority: str | None
    queue: str | None
    assigned_agent: AgentRef | None
    sla_first_response_due: datetime | None
    sla_resolution_due: datetime | None
    churn_signals: list[ChurnSignalOut]
    sentiment: float | None
    reasons: list[str]
    routed: bool
