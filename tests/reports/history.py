"""A small hand-made escalation history whose report figures are worked out by hand in
the tests (November 2026, now = 20 Nov 12:00 UTC, TIME_ZONE UTC).

Severity resolution SLAs (defaults): critical 24 h, high 48 h, medium 5 d, low 10 d.

esc account sev  type   opened       ack    resolved  closed  status       reopen csat SLA
e1  T1      crit tech   11-01 00:00  +0.5h  +10h              resolved     0      5    met
e2  T1      high tech   11-03 00:00  +2h    +72h      +78h    closed       2      3    missed
e3  T2      high tech   11-10 00:00                           open         0           missed*
e4  T2      low  tech   11-19 00:00  +1h                      in_progress  0           out**
e5  Std     med  comm.  11-05 00:00                   +24h    closed       0           met
e9  T1      med  tech   11-07 00:00  +1h    (cleared on re-open)  open     1           missed*
and two T1 critical ones opened 10-31 23:59 and 12-01 00:00, outside [11-01, 12-01).

* open past its due time; ** open, due 29 Nov, not yet due: left out of SLA compliance.

Accounts: one Tier 1, one Tier 2, two Standard (4 in all).
"""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from tests.factories import make_account, make_escalation

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def at(day: int, month: int = 11, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def build(csm=None) -> dict:
    t1 = make_account("Tier One Co", arr=Decimal(600000), csm=csm)
    t2 = make_account("Tier Two Co", arr=Decimal(150000))
    std = make_account("Standard Co", arr=Decimal(1000))
    make_account("Quiet Co", arr=Decimal(2000))
    h = timedelta(hours=1)
    e = {}
    e["e1"] = make_escalation(
        t1,
        severity="critical",
        opened_at=at(1),
        acknowledged_at=at(1) + h / 2,
        resolved_at=at(1) + 10 * h,
        status="resolved",
        csat=5,
    )
    e["e2"] = make_escalation(
        t1,
        severity="high",
        opened_at=at(3),
        acknowledged_at=at(3) + 2 * h,
        resolved_at=at(3) + 72 * h,
        closed_at=at(3) + 78 * h,
        reopened_at=at(3) + 30 * h,
        reopen_count=2,
        status="closed",
        csat=3,
    )
    e["e3"] = make_escalation(t2, severity="high", opened_at=at(10))
    e["e4"] = make_escalation(
        t2,
        severity="low",
        opened_at=at(19),
        acknowledged_at=at(19) + h,
        status="in_progress",
    )
    e["e5"] = make_escalation(
        std,
        severity="medium",
        type="commercial",
        opened_at=at(5),
        closed_at=at(5) + 24 * h,
        status="closed",
    )
    e["e9"] = make_escalation(
        t1,
        severity="medium",
        opened_at=at(7),
        acknowledged_at=at(7) + h,
        reopened_at=at(9),
        reopen_count=1,
        status="open",
    )
    e["before"] = make_escalation(t1, severity="critical", opened_at=at(31, 10, 23, 59))
    e["after"] = make_escalation(t1, severity="critical", opened_at=at(1, 12))
    return e
