"""Post-mortem rules (pure): the summary's sentences, specific recommendations, what
completing needs, the timeline refresh, due dates on the business calendar."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from escalations.postmortems import rules
from vipdesk.lib.business_hours import BusinessCalendar

VAGUE = ["communicate better", "be more careful", "improve processes"]
SPECIFIC = (
    "Support leads page the on-call engineer within 15 minutes of any Tier 1 P1 ticket "
    "and post the incident in the Zendesk account view."
)
NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


def full(**kw) -> rules.Values:
    values = dict(
        executive_summary="The export API failed for 9 hours. Payroll ran a day late. "
        "We fixed it and the customer renewed.",
        timeline_rows=3,
        went_well="The CSM called within the hour.",
        do_differently="Page engineering on the first report.",
        recommendation=SPECIFIC,
        root_cause_category=object(),
        root_cause="A schema migration locked the export table.",
        contributing_factors=2,
        customer_outcome="Renewed; asked for monthly reviews.",
        arr_retained=Decimal(620000),
        arr_lost=Decimal(0),
        systemic=False,
        follow_ups=1,
    )
    return rules.Values(**(values | kw))


def errors(v):
    return rules.completion_errors(v, max_sentences=3, vague_phrases=VAGUE, min_words=10)


@pytest.mark.parametrize(
    "text,count",
    [("", 0), ("One.", 1), ("One. Two! Three?", 3), ("No end", 1), ("A. B. C. D.", 4)],
)
def test_it_counts_sentences(text, count):
    assert rules.sentences(text) == count


@pytest.mark.parametrize(
    "text", ["Communicate better.", "We should be more careful", "Improve processes."]
)
def test_it_refuses_a_vague_recommendation_with_a_hint(text):
    problems = rules.recommendation_problems(text, VAGUE, 10)
    assert problems
    assert "too vague to act on" in problems[0] and "e.g." in problems[0]


def test_it_accepts_a_specific_recommendation():
    assert rules.recommendation_problems(SPECIFIC, VAGUE, 10) == []


def test_it_asks_for_an_owner_and_a_step_when_long_but_abstract():
    text = "we ought to think much harder about how things go wrong for our biggest clients"
    problems = rules.recommendation_problems(text, VAGUE, 10)
    assert any("Name who owns the change" in p for p in problems)
    assert any("Name the concrete step or trigger" in p for p in problems)


def test_a_vague_phrase_inside_a_concrete_plan_passes():
    text = (
        "To communicate better, CSMs send the customer a written status update every 4 hours "
        "during a Critical escalation, from the escalation page template."
    )
    assert rules.recommendation_problems(text, VAGUE, 10) == []


def test_a_complete_post_mortem_has_no_errors():
    assert errors(full()) == {}


def test_it_names_each_missing_field():
    found = errors(rules.Values())
    assert set(found) == {
        "executive_summary", "timeline", "went_well", "do_differently", "recommendation",
        "root_cause_category", "root_cause", "contributing_factors", "customer_outcome",
        "arr_retained", "arr_lost", "systemic", "follow_ups",
    }  # fmt: skip
    assert found["arr_lost"] == "Enter the ARR lost (0 if none)."
    assert found["root_cause_category"] == "Pick the root-cause category."
    assert "systemic issue" in found["systemic"]


def test_it_limits_the_summary_to_three_sentences():
    found = errors(full(executive_summary="One. Two. Three. Four."))
    assert found == {"executive_summary": "The executive summary has 4 sentences; keep it to 3."}


def test_zero_arr_and_a_no_count_as_answers():
    assert errors(full(arr_retained=Decimal(0), arr_lost=Decimal(0), systemic=False)) == {}


def test_a_vague_recommendation_blocks_completion():
    found = errors(full(recommendation="Communicate better."))
    assert list(found) == ["recommendation"] and "too vague" in found["recommendation"]


def test_refreshing_the_timeline_keeps_pinned_rows_and_drops_edited_unpinned_ones():
    events = [rules.Row(NOW, "Opened"), rules.Row(NOW + timedelta(hours=2), "Acknowledged")]
    current = [
        rules.Row(NOW - timedelta(hours=1), "Customer called the CEO", pinned=True),
        rules.Row(NOW, "Opened (edited)"),
    ]
    rows = rules.refresh_timeline(events, current)
    assert [r.text for r in rows] == ["Customer called the CEO", "Opened", "Acknowledged"]


def test_it_is_due_n_business_days_after_resolution_skipping_weekends_and_holidays():
    tz = ZoneInfo("Europe/Berlin")
    hours = {d: (time(9), time(17)) for d in range(5)}
    calendar = BusinessCalendar(tz=tz, hours=hours, holidays=frozenset({date(2026, 12, 7)}))
    friday = datetime(2026, 12, 4, 15, tzinfo=tz)
    due = rules.due_at(friday, 5, calendar)
    # Mon 7 is a holiday: Tue 8, Wed 9, Thu 10, Fri 11, Mon 14 → close of Mon 14.
    assert due == datetime(2026, 12, 14, 17, tzinfo=tz)


@pytest.mark.parametrize(
    "now,stage",
    [
        (NOW - timedelta(days=2), None),
        (NOW - timedelta(hours=23), "due_soon"),
        (NOW + timedelta(minutes=1), "overdue"),
    ],
)
def test_it_reminds_before_and_after_due(now, stage):
    assert rules.reminder_stage(NOW, now, days_before=1) == stage


@pytest.mark.parametrize(
    "today,stage",
    [(date(2026, 12, 8), None), (date(2026, 12, 9), "due_soon"), (date(2026, 12, 10), "due_soon"),
     (date(2026, 12, 11), "overdue")],
)  # fmt: skip
def test_a_follow_up_is_overdue_the_day_after_its_due_date(today, stage):
    assert rules.follow_up_stage(date(2026, 12, 10), today, days_before=1) == stage
