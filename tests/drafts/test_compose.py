"""Drafts from a record snapshot (pure): every kind on a full record and on one that
lacks data; the internal brief's word limit and blame flags."""

import copy

import pytest

from escalations.drafts import compose
from escalations.models import Draft

NOW = "2026-12-01T12:00:00+00:00"
FULL = {
    "generated_at": NOW,
    "escalation": {
        "id": 7, "code": "ESC-0007", "type": "technical", "type_label": "Technical",
        "severity": "critical", "severity_label": "Critical", "status_label": "In progress",
        "summary": "Payroll exports fail for every customer file",
        "customer_statement": "Our payroll run is blocked.",
        "business_impact": "Payroll for 4,000 employees cannot run", "users_affected": 120,
        "initial_assessment": "Export job times out",
        "root_cause": "A migration locked the export table",
        "root_cause_category": "Product defect", "opened_at": "2026-11-30T09:00:00+00:00",
        "resolved_at": "", "owner": "Casey Morgan", "level": 1,
    },
    "account": {
        "id": 3, "name": "Globex", "arr": "620000.00", "renewal_date": "2027-03-15",
        "tier": "Tier 1 Strategic", "csm": "Casey Morgan", "executive_sponsor": "",
    },
    "contact": {"name": "Dana Reyes", "title": "CFO", "email": "dana@globex.example"},
    "sla": {"response_minutes": 60, "resolution_minutes": 1440, "checkpoint_days": 1,
            "update_minutes": 240},
    "teams": "Engineering, Support",
    "actions": [
        {"description": "Roll back the migration", "owner": "Eli Eng",
         "due_at": "2026-12-01T16:00:00+00:00", "status": "open", "horizon": "immediate"},
        {"description": "Add lock timeouts to every migration", "owner": "Eli Eng",
         "due_at": "2026-12-10T16:00:00+00:00", "status": "open", "horizon": "long_term"},
    ],
    "history": [
        {"at": "2026-11-30T09:00:00+00:00", "text": "Opened by Casey Morgan (person)."},
        {"at": "2026-11-30T09:20:00+00:00", "text": "Acknowledged by Casey Morgan."},
    ],
    "stakeholders": [
        {"name": "Eli Eng", "role": "Engineering lead", "ask": "Estimate the rollback"}
    ],
    "goodwill": [{"kind": "Service credit", "value": "$5,000.00", "status": "approved"}],
    "links": {
        "escalation": "/escalations/7/", "analysis": "/escalations/7/#analysis",
        "statement": "/escalations/7/#statement", "actions": "/escalations/7/#actions",
        "owners": "/escalations/7/#owners", "goodwill": "/escalations/7/#goodwill",
        "account": "/admin/accounts/account/3/change/",
        "contact": "/admin/accounts/contact/add/?account=3",
    },
}  # fmt: skip


def sparse() -> dict:
    snap = copy.deepcopy(FULL)
    snap["escalation"].update(
        customer_statement="", business_impact="", users_affected=None,
        initial_assessment="", root_cause="", owner="",
    )  # fmt: skip
    snap["account"].update(arr="", renewal_date="", csm="")
    snap.update(contact=None, sla=None, actions=[], history=[], stakeholders=[], goodwill=[])
    return snap


def build(kind, snap, max_words=300):
    return compose.compose(kind, snap, brief_max_words=max_words)


@pytest.mark.parametrize("kind", Draft.Kind.values)
def test_every_draft_on_a_full_record_has_no_gaps_and_no_placeholders(kind):
    draft = build(kind, FULL)
    assert draft.gaps == []
    for bad in ("[PLACEHOLDER]", "None", "not on record", "{", "}"):
        assert bad not in draft.body
    assert "ESC-0007" in draft.body


@pytest.mark.parametrize("kind", Draft.Kind.values)
def test_every_draft_on_a_sparse_record_names_the_gaps_with_links(kind):
    draft = build(kind, sparse())
    assert "[PLACEHOLDER]" not in draft.body and "None" not in draft.body
    if kind != "no_commit":
        assert draft.gaps
    for gap in draft.gaps:
        assert f"not on record: {gap.label}; fill it in at {gap.url}" in draft.body


def test_the_first_response_names_the_failure_owns_it_and_commits_within_the_sla():
    body = build("first_response", FULL).body
    assert "Payroll exports fail for every customer file" in body
    assert "I own this escalation personally" in body and "Casey Morgan" in body
    assert "Roll back the migration" in body
    assert "Tue 1 Dec, 13:00 UTC (within 1 hour)" in body  # 12:00 + the 1 h response SLA
    assert body.startswith("Subject: ESC-0007") and "Dear Dana Reyes," in body


def test_a_sparse_first_response_says_what_is_missing():
    draft = build("first_response", sparse())
    labels = {g.label for g in draft.gaps}
    assert {"the customer contact", "the escalation's owner", "the business impact",
            "the next step (an open action)", "the Critical response SLA"} <= labels  # fmt: skip


def test_the_internal_brief_has_every_part():
    body = build("internal_brief", FULL).body
    for part in ("Situation:", "ARR at risk: $620,000", "Renewal: 15 March 2027",
                 "Root cause so far: A migration locked the export table", "Actions to date:",
                 "1. 30 Nov 09:00: Opened by Casey Morgan", "Eli Eng (Engineering lead): Estimate",
                 "Response deadline: Tue 1 Dec, 13:00 UTC", "Owner: Casey Morgan."):  # fmt: skip
        assert part in body


def test_the_internal_brief_stays_within_the_word_limit_summarising_early_steps():
    snap = copy.deepcopy(FULL)
    snap["history"] = [
        {"at": f"2026-11-30T{h:02d}:00:00+00:00", "text": "Engineering checked the export "
         "queue again and found the same lock on the table during the run"}
        for h in range(10, 24)
    ]  # fmt: skip
    body = build("internal_brief", snap, max_words=200).body
    assert compose.word_count(body) <= 200
    assert "earlier steps on the timeline: /escalations/7/" in body
    assert "23:00" in body  # the most recent step is kept


def test_an_edited_brief_over_the_limit_is_refused_with_the_count():
    assert compose.brief_refusal("word " * 300, 300) == ""
    assert compose.brief_refusal("word " * 301, 300) == (
        "The internal brief has 301 words; keep it within 300."
    )


def test_it_flags_blame_words_as_whole_words():
    blame = compose.split_words("fault, blame, careless, dropped the ball")
    text = "It was Support's fault; they dropped the ball. Default settings were blameless."
    assert compose.blame_words(text, blame) == ["fault", "dropped the ball"]


def test_the_timeline_spaces_checkpoints_by_severity():
    daily = build("timeline", FULL).body
    assert daily.count("update Dana Reyes") == 15  # days 0..14
    snap = copy.deepcopy(FULL)
    snap["sla"]["checkpoint_days"] = 7
    weekly = build("timeline", snap).body
    assert [line.split(" (")[0] for line in weekly.splitlines() if line.startswith("Day ")] == [
        "Day 0", "Day 7", "Day 14"
    ]  # fmt: skip
    assert "Roll back the migration" in weekly and "Add lock timeouts" in weekly


def test_must_not_commit_follows_the_record():
    sparse_body = build("no_commit", sparse()).body
    assert "A resolution date: engineering has given no estimate" in sparse_body
    assert "none is approved" in sparse_body and "Roadmap items" in sparse_body
    snap = copy.deepcopy(FULL)
    snap["goodwill"] = [{"kind": "Contract extension", "value": "3 months", "status": "requested"}]
    body = build("no_commit", snap).body
    assert "Contract extension 3 months: it awaits approval" in body
    assert "A resolution date earlier than Thu 10 Dec, 16:00 UTC" in body


def test_goodwill_appears_in_the_recovery_email_only_when_approved():
    assert "Service credit $5,000.00" in build("recovery", FULL).body
    snap = copy.deepcopy(FULL)
    snap["goodwill"][0]["status"] = "requested"
    assert "goodwill" not in build("recovery", snap).body.lower()


def test_the_executive_call_has_an_agenda_scenarios_and_one_commitment():
    body = build("exec_call", FULL).body
    assert "(30 minutes)" in body and body.count(" min)") == 6
    assert body.count("Response:") == 3
    assert "Close with one commitment: Roll back the migration by Tue 1 Dec, 16:00 UTC" in body
    snap = copy.deepcopy(FULL)
    snap["escalation"]["severity"] = "low"
    assert "(15 minutes)" in build("exec_call", snap).body


def test_the_difficult_conversation_delivers_the_news_the_record_holds():
    late = build("difficult", FULL).body  # opened 27 h ago, 24 h resolution SLA
    assert "The news: the fix is taking longer than our 24 hours resolution target." in late
    snap = copy.deepcopy(FULL)
    snap["sla"]["resolution_minutes"] = 5 * 24 * 60
    assert "the fix will not land before Thu 10 Dec, 16:00 UTC" in build("difficult", snap).body
    snap["actions"] = []
    assert "we cannot promise a fix date yet" in build("difficult", snap).body
    assert "Service credit $5,000.00 (approved)" in late
