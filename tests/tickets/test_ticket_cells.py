"""The tier badge and SLA countdown tags render what the fragments they replace did."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.template import Context, Template
from django.test import override_settings

from accounts.models import Tier


def render(source: str, **context) -> str:
    return Template("{% load ticket_cells %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("tier", "html"),
    [
        (
            Tier.STRATEGIC,
            '<span class="badge badge-platinum" title="Tier 1 Strategic">Platinum</span>',
        ),
        (2, '<span class="badge badge-gold" title="Tier 2 Enterprise">Gold</span>'),
        (3, '<span class="badge badge-silver" title="Tier 3 Premium">Silver</span>'),
        (4, '<span class="badge badge-standard">Standard</span>'),
        (None, '<span class="badge badge-standard">Standard</span>'),
    ],
)
def test_it_renders_each_tiers_badge(tier, html):
    assert render("{% ticket_badge tier %}", tier=tier) == html


def test_it_adds_the_exec_badge_for_an_executive_contact():
    html = render("{% ticket_badge 4 executive %}", executive=True)
    assert html == (
        '<span class="badge badge-standard">Standard</span> <span class="badge badge-exec"'
        ' title="Executive contact: handled as Tier 1 P1">Exec</span>'
    )
    assert "Exec" not in render("{% ticket_badge 1 executive %}", executive=False)


@time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False)
@override_settings(TIME_ZONE="Europe/Paris")
def test_it_counts_down_to_the_due_time_in_local_time():
    due = datetime(2026, 3, 2, 11, 30, tzinfo=UTC)
    html = render("{% countdown due %}", due=due, warn_seconds=600)
    assert html == (
        '<time datetime="2026-03-02T12:30:00+01:00" data-countdown="2026-03-02T12:30:00+01:00"'
        ' data-warn-seconds="600" title="Due Mon 2 Mar, 12:30 CET">2\xa0hours, 30\xa0minutes</time>'
    )


def test_it_says_no_sla_without_a_due_time():
    assert render("{% countdown None %}") == '<span class="muted">no SLA</span>'


def test_it_renders_like_the_date_and_timeuntil_filters():
    due = datetime.now(UTC) + timedelta(days=1, hours=3)
    filters = (
        "<time datetime=\"{{ due|date:'c' }}\" data-countdown=\"{{ due|date:'c' }}\""
        ' data-warn-seconds="{{ warn_seconds }}" title="Due {{ due|date:\'D j M, H:i T\' }}">'
        "{{ due|timeuntil }}</time>"
    )
    assert render("{% countdown due %}", due=due) == render(filters, due=due)
