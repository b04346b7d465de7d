"""The systemic-issue finder: matching and ARR ranking on hand-made data, clusters,
"link as the same problem" grouping, re-escalation flags, and its pages."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from escalations.models import (
    EscalationEvent,
    EscalationMonthTotals,
    PostMortem,
    RootCauseCategory,
)
from escalations.postmortems import actions, systemic
from escalations.postmortems.systemic import Profile
from escalations.reports import refresh_trend
from tests.factories import make_account, make_escalation

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def p(pk, account, type="technical", category=None, factors=(), arr=0, days=1):
    return Profile(
        pk, account, type, category, frozenset(factors), Decimal(arr), NOW - timedelta(days=days)
    )


def test_it_matches_other_accounts_by_type_category_or_factor_ranked_by_arr():
    subject = p(1, 1, category="Product defect", factors={"Monitoring gap", "Handoff"})
    candidates = [
        p(2, 1, arr=900_000),  # same account: never
        p(3, 2, type="commercial", arr=50_000),  # shares nothing
        p(4, 3, type="legal", category="Product defect", arr=200_000),
        p(5, 4, type="commercial", factors={"Handoff"}, arr=700_000),
        p(6, 5, arr=200_000, days=0),  # same type, newer than #4 at the same ARR
    ]
    found = systemic.match(subject, candidates, "Technical")
    assert [m.profile.escalation_id for m in found] == [5, 6, 4]
    assert found[0].reasons == ["shared factor: Handoff"]
    assert found[1].reasons == ["same type (Technical)"]
    assert found[2].reasons == ["same root cause (Product defect)"]


def test_clusters_need_two_accounts_and_count_each_accounts_arr_once():
    profiles = [
        p(1, 1, category="Capacity", arr=100),
        p(2, 1, category="Capacity", arr=100),  # the same account again
        p(3, 2, category="Capacity", factors={"Handoff"}, arr=300),
        p(4, 3, factors={"Handoff"}, arr=1000),
        p(5, 4, category="Monitoring gap", arr=5000),  # one account only
    ]
    found = [(c.label, c.accounts, c.arr, c.escalation_ids) for c in systemic.clusters(profiles)]
    assert found == [
        ("Contributing factor: Handoff", 2, Decimal(1300), [4, 3]),
        ("Root cause: Capacity", 2, Decimal(400), [3, 1, 2]),
    ]


@pytest.mark.django_db
def test_it_finds_and_links_the_same_problem(client, csm, lead):
    product = RootCauseCategory.objects.get(name="Product defect")
    mine = make_escalation(make_account("Mine", arr=Decimal(100_000), csm=csm), type="technical")
    small = make_escalation(make_account("Small", arr=Decimal(10_000)), type="commercial")
    big = make_escalation(make_account("Big", arr=Decimal(900_000)), type="legal")
    old = make_escalation(
        make_account("Old", arr=Decimal(5_000_000)), opened_at=timezone.now() - timedelta(days=200)
    )
    for e in (mine, small, big):
        pm = PostMortem.objects.create(escalation=e, status="draft", root_cause_category=product)
        pm.contributing_factors.set([product])
    client.force_login(csm)
    body = client.get(f"/escalations/{mine.pk}/post-mortem/").content.decode()
    assert body.index(f'data-related="{big.pk}"') < body.index(f'data-related="{small.pk}"')
    assert f'data-related="{old.pk}"' not in body  # older than 180 days
    response = client.post(f"/escalations/{mine.pk}/same-problem/{big.pk}/")
    assert response.status_code == 302
    mine.refresh_from_db(), big.refresh_from_db()
    assert mine.problem_id and mine.problem_id == big.problem_id
    assert EscalationEvent.objects.filter(escalation=big, text__contains="same problem as").exists()
    client.force_login(lead)  # leads run every escalation
    client.post(f"/escalations/{small.pk}/same-problem/{mine.pk}/")
    small.refresh_from_db()
    assert small.problem_id == mine.problem_id
    page = client.get("/escalations/systemic/").content.decode()
    assert f'data-problem="{mine.problem_id}"' in page and "$1,010,000 ARR at risk" in page
    assert "Root cause: Product defect · 3 accounts" in page


@pytest.mark.django_db
def test_linking_merges_two_groups(csm):
    a, b, c, d = (make_escalation(make_account(n)) for n in "ABCD")
    actions.link_same_problem(a, b, by=csm)
    actions.link_same_problem(c, d, by=csm)
    actions.link_same_problem(b, c, by=csm)
    groups = {e.problem_id for e in (a, b, c, d) if not e.refresh_from_db()}
    assert len(groups) == 1


@pytest.mark.django_db
def test_a_reescalation_with_open_actions_is_flagged_on_both(client, csm, account):
    earlier = make_escalation(
        account, status="closed", opened_at=timezone.now() - timedelta(days=20),
        resolved_at=timezone.now() - timedelta(days=15),
    )  # fmt: skip
    actions.add_follow_up(
        earlier, by=csm, description="Fix alerts", owner=csm, due_on=date(2027, 1, 1)
    )
    later = make_escalation(account, summary="It happened again")
    client.force_login(csm)
    new_page = client.get(f"/escalations/{later.pk}/post-mortem/").content.decode()
    old_page = client.get(f"/escalations/{earlier.pk}/post-mortem/").content.decode()
    assert (
        f"Re-escalation: {earlier.code}&#x27;s post-mortem still has 1 open follow-up action."
        in new_page
    )
    assert f"The account escalated again ({later.code})" in old_page
    for e in (earlier, later):  # and on both escalation pages
        page = client.get(f"/escalations/{e.pk}/").content.decode()
        assert 'data-testid="reescalation-flag"' in page


def test_a_reopened_escalation_with_open_actions_is_flagged():
    flags = systemic.reescalation_flags(1, NOW, 1, [], own_open_actions=2)
    assert [f.text for f in flags] == [
        "Re-opened while this post-mortem's follow-up actions are open."
    ]
    assert systemic.reescalation_flags(1, NOW, 1, [], own_open_actions=0) == []


@pytest.mark.django_db
def test_the_pages_check_access_and_linking_requires_post(client, agent_user, outsider, csm):
    a = make_escalation(make_account("A", csm=csm))
    b = make_escalation(make_account("B"))
    client.force_login(agent_user)
    assert client.get("/escalations/systemic/").status_code == 200
    assert client.post(f"/escalations/{a.pk}/same-problem/{b.pk}/").status_code == 403
    client.force_login(csm)
    assert client.get(f"/escalations/{a.pk}/same-problem/{b.pk}/").status_code == 405
    assert client.post(f"/escalations/{a.pk}/same-problem/999999/").status_code == 404


@pytest.mark.django_db
def test_the_systemic_page_runs_a_constant_number_of_queries(
    client, csm, django_assert_num_queries
):
    product = RootCauseCategory.objects.get(name="Product defect")

    def add(n, prefix):
        made = []
        for i in range(n):
            e = make_escalation(make_account(f"{prefix} {i}", arr=Decimal(1000 * (i + 1))))
            pm = PostMortem.objects.create(
                escalation=e, status="draft", root_cause_category=product
            )
            pm.contributing_factors.set([product])
            made.append(e)
        for a, b in zip(made, made[1:], strict=False):
            actions.link_same_problem(a, b, by=csm)

    client.force_login(csm)
    add(2, "First")
    client.get("/escalations/systemic/")  # computes the growth counts' rollup
    with django_assert_num_queries(17):
        client.get("/escalations/systemic/")
    add(5, "More")
    refresh_trend()
    with django_assert_num_queries(17):
        client.get("/escalations/systemic/")


@pytest.mark.django_db
def test_growth_counts_the_post_mortems_root_cause_and_factors_first(client, csm):
    """One root cause per escalation: its post-mortem's category when it has one, else
    the one typed on the escalation; factors from both, each counted once."""
    product = RootCauseCategory.objects.get(name="Product defect")
    account = make_account(arr=1000)
    for _ in range(3):
        make_escalation(
            account,
            type="legal",
            root_cause_category="Data retention",
            contributing_factors="1. No retention policy\n- Manual export",
            opened_at=timezone.now(),
        )
    reviewed = make_escalation(
        account,
        type="legal",
        root_cause_category="Data retention",
        contributing_factors="- product defect",
        opened_at=timezone.now(),
    )
    pm = PostMortem.objects.create(escalation=reviewed, root_cause_category=product)
    pm.contributing_factors.set([product])
    client.force_login(csm)
    response = client.get("/escalations/systemic/")
    assert response.status_code == 200
    tables = {t.name: t for t in response.context["growth"].tables}
    legal = next(r for r in tables["by-type"].rows if r[0] == "Legal")
    assert legal[1:] == [0, 0, 0, 4, None, True]  # new this quarter: growing
    causes = {r[0]: r[4] for r in tables["by-root-cause"].rows}
    assert causes == {"Data retention": 3, "Product defect": 1}
    factors = {r[0]: r[4] for r in tables["by-factor"].rows}
    # "- product defect" typed on the escalation and picked on its post-mortem: once.
    assert factors == {"Manual export": 3, "No retention policy": 3, "Product defect": 1}
    csv = client.get("/escalations/systemic/by-root-cause.csv")
    assert b"Data retention" in b"".join(csv.streaming_content)
    # Counted from the rollup: a new escalation shows once the job has run.
    make_escalation(account, type="legal", opened_at=timezone.now())

    def legal_now():
        tables = client.get("/escalations/systemic/").context["growth"].tables
        return next(r for r in tables[0].rows if r[0] == "Legal")[4]

    assert legal_now() == 4
    refresh_trend()
    assert legal_now() == 5
    EscalationMonthTotals.objects.update(computed_at=timezone.now() - timedelta(hours=1))
    page = client.get("/escalations/systemic/")
    assert page.context["growth"].stale and b"stale: its refresh job" in page.content


@pytest.mark.django_db
def test_the_old_systemic_view_address_leads_here(client, lead):
    client.force_login(lead)
    response = client.get("/reports/escalations/systemic/")
    assert (response.status_code, response.url) == (301, "/escalations/systemic/")
    response = client.get("/reports/escalations/systemic/by-type.csv")
    assert (response.status_code, response.url) == (301, "/escalations/systemic/by-type.csv")
