"""The at-risk board: /accounts/at-risk/."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from accounts.models import Account, RiskLevel
from tests.accounts.helpers import FACTORS, make_feedback, make_scored_account
from tests.factories import make_user
from vipdesk.insight.board import (
    BoardQuery,
    Quarter,
    arr_at_risk_by_quarter,
    board_page,
    board_queryset,
    next_quarters,
    top_factors,
)
from vipdesk.lib.roles import Role

URL = "/accounts/at-risk/"


@pytest.fixture(autouse=True)
def _cold_cache():
    """Flag precision is cached for a minute; each test starts cold."""
    cache.clear()


def names(response) -> list[str]:
    return [a.name for a in response.context["page"].rows]


def q(params: str = "") -> BoardQuery:
    return BoardQuery.from_params(QueryDict(params))


@pytest.mark.django_db
class TestBoardPage:
    def test_it_orders_accounts_by_risk_highest_first(self, client, csm):
        make_scored_account("Calm", risk=10)
        make_scored_account("Burning", risk=95)
        make_scored_account("Warm", risk=60)
        client.force_login(csm)
        response = client.get(URL)
        assert response.status_code == 200
        assert names(response) == ["Burning", "Warm", "Calm"]

    def test_it_shows_level_health_arr_tier_renewal_and_intervention(self, client, csm, lead):
        make_scored_account(
            "Globex",
            risk=92,
            health=41,
            arr=Decimal(620000),
            csm=csm,
            intervention_status=Account.Intervention.PLANNED,
            intervention_owner=lead,
        )
        client.force_login(csm)
        html = client.get(URL).content.decode()
        assert "Globex" in html
        assert "Critical" in html and "level-critical" in html
        assert ">41<" in html
        assert "$620,000" in html
        assert "badge-platinum" in html
        assert "Planned" in html and "Lead" in html

    def test_it_explains_the_top_three_factors_with_points_and_reasons(self, client, csm):
        make_scored_account("Globex", risk=92)
        client.force_login(csm)
        html = client.get(URL).content.decode()
        assert "Churn language" in html and "+25" in html
        assert "looking at alternatives" in html
        assert "Usage drop" in html and "+15" in html
        assert "Open escalation" in html and "+12" in html
        # The fourth factor (10 points) is left to the account page.
        assert "Renewal proximity" not in html

    def test_it_filters_to_my_accounts(self, client, csm, outsider):
        make_scored_account("Mine", risk=50, csm=csm)
        make_scored_account("Theirs", risk=90, csm=outsider)
        client.force_login(csm)
        assert names(client.get(URL + "?mine=1")) == ["Mine"]
        assert names(client.get(URL)) == ["Theirs", "Mine"]

    def test_it_filters_by_csm(self, client, lead, csm, outsider):
        make_scored_account("Mine", risk=50, csm=csm)
        make_scored_account("Theirs", risk=90, csm=outsider)
        client.force_login(lead)
        assert names(client.get(f"{URL}?csm={outsider.pk}")) == ["Theirs"]

    def test_it_offers_every_csm_escaped_with_the_chosen_one_selected(self, client, lead, csm):
        odd = make_user("odd", Role.CSM, first_name="<i>Ann</i>")
        client.force_login(lead)
        html = client.get(f"{URL}?csm={odd.pk}").content.decode()
        select = html.split('name="csm">')[1].split("</select>")[0]
        assert f'<option value="{csm.pk}">{csm.get_full_name()}</option>' in select
        assert f'<option value="{odd.pk}" selected>&lt;i&gt;Ann&lt;/i&gt;</option>' in select
        assert f'value="{lead.pk}"' not in select  # leads are not CSMs

    def test_it_filters_by_tier_and_level(self, client, csm):
        make_scored_account("Big", risk=90, arr=Decimal(600000))
        make_scored_account("Mid", risk=75, arr=Decimal(150000))
        make_scored_account("Mid calm", risk=20, arr=Decimal(150000))
        client.force_login(csm)
        assert names(client.get(URL + "?tier=2")) == ["Mid", "Mid calm"]
        assert names(client.get(URL + "?tier=2&level=high")) == ["Mid"]
        assert names(client.get(URL + "?level=high,critical")) == ["Big", "Mid"]
        assert names(client.get(URL + "?level=high&level=critical")) == ["Big", "Mid"]

    def test_it_filters_by_renewal_window(self, client, csm):
        make_scored_account("Soon", risk=50, renewal_in=20)
        make_scored_account("Later", risk=60, renewal_in=75)
        make_scored_account("Past", risk=70, renewal_in=-5)
        make_scored_account("Unknown", risk=80, renewal_in=None)
        client.force_login(csm)
        assert names(client.get(URL + "?renewal=30")) == ["Soon"]
        assert names(client.get(URL + "?renewal=90")) == ["Later", "Soon"]
        # Windows outside the whitelist are ignored.
        assert len(names(client.get(URL + "?renewal=45"))) == 4

    @pytest.mark.parametrize(
        ("sort", "expected"),
        [
            ("risk", ["A", "B", "C", "D"]),
            ("health", ["C", "B", "A", "D"]),
            ("arr", ["D", "C", "A", "B"]),
            ("renewal", ["B", "D", "C", "A"]),
        ],
    )
    def test_it_sorts_by_risk_health_arr_and_renewal(self, client, csm, sort, expected):
        make_scored_account("A", risk=90, health=50, arr=Decimal(60000), renewal_in=None)
        make_scored_account("B", risk=80, health=40, arr=Decimal(10000), renewal_in=10)
        make_scored_account("C", risk=70, health=30, arr=Decimal(200000), renewal_in=100)
        make_scored_account("D", risk=60, health=None, arr=Decimal(900000), renewal_in=50)
        client.force_login(csm)
        assert names(client.get(f"{URL}?sort={sort}")) == expected

    def test_it_ignores_an_unknown_sort(self, client, csm):
        make_scored_account("Low", risk=10)
        make_scored_account("High", risk=90)
        client.force_login(csm)
        response = client.get(URL + "?sort=csm__password")
        assert response.status_code == 200
        assert names(response) == ["High", "Low"]

    def test_it_returns_only_the_results_for_htmx(self, client, csm):
        make_scored_account("Globex", risk=92)
        client.force_login(csm)
        response = client.get(URL + "?tier=1", HTTP_HX_REQUEST="true")
        html = response.content.decode()
        assert response.status_code == 200
        assert html.lstrip().startswith('<section id="results"')
        assert "<html" not in html and "ARR at risk" not in html

    def test_it_returns_the_whole_page_to_an_htmx_history_restore(self, client, csm):
        client.force_login(csm)
        response = client.get(URL, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
        assert "<html" in response.content.decode()

    def test_it_links_each_quarter_figure_to_the_filtered_board(self, client, csm):
        make_scored_account("Renewing", risk=90, arr=Decimal(250000), renewal_in=1)
        client.force_login(csm)
        response = client.get(URL)
        quarter = Quarter.containing(date.today() + timedelta(days=1))
        html = response.content.decode()
        link = re.search(rf'href="([^"]+)" data-testid="quarter-{quarter.key}"', html)[1]
        assert "level=high" in link and "level=critical" in link
        assert f"quarter={quarter.key}" in link
        followed = client.get(link.replace("&amp;", "&"))
        assert names(followed) == ["Renewing"]

    def test_it_shows_the_flag_precision_panel(self, client, csm):
        account = make_scored_account("Globex", risk=92)
        make_feedback(account, "accurate")
        make_feedback(account, "accurate")
        make_feedback(account, "false_positive", factors=[FACTORS[0]])
        client.force_login(csm)
        response = client.get(URL)
        precision = response.context["precision"]
        assert precision.overall.percent == "67%"
        assert "Flag precision" in response.content.decode()

    def test_it_shows_flag_forms_only_on_rows_the_user_may_change(self, client, csm, outsider):
        make_scored_account("Mine", risk=50, csm=csm)
        theirs = make_scored_account("Theirs", risk=90, csm=outsider)
        client.force_login(csm)
        html = client.get(URL).content.decode()
        assert f"/accounts/{theirs.pk}/flag/" not in html
        assert html.count('class="flag-form"') == 1

    def test_it_pins_the_query_count_whatever_the_number_of_rows(self, client, csm):
        client.force_login(csm)

        def count(path: str, **headers) -> int:
            cache.clear()
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(path, **headers).status_code == 200
            return len(ctx.captured_queries)

        for i in range(3):
            make_feedback(make_scored_account(f"Few {i}", risk=80, csm=csm), "accurate")
        few = count(URL), count(URL, HTTP_HX_REQUEST="true")
        for i in range(27):
            make_feedback(make_scored_account(f"More {i}", risk=80, csm=csm), "false_positive")
        many = count(URL), count(URL, HTTP_HX_REQUEST="true")
        # session, user, roles, rows, alerts, open tasks, session save (3); full page adds
        # the quarter aggregate, the precision query and the CSM list.
        assert few == many == (12, 9)


@pytest.mark.django_db
class TestKeysetPagination:
    @pytest.mark.parametrize("sort", ["risk", "health", "arr", "renewal"])
    def test_it_walks_every_row_exactly_once_in_order(self, csm, sort):
        today = date.today()
        Account.objects.bulk_create(
            Account(
                name=f"Bulk {i:03d}",
                risk_score=i % 7 * 10,  # many ties
                risk_level=RiskLevel.LOW,
                health_score=None if i % 11 == 0 else i % 5 * 20,
                arr=Decimal(i % 4 * 1000),
                renewal_date=None if i % 13 == 0 else today + timedelta(days=i % 9),
            )
            for i in range(130)
        )
        query = q(f"sort={sort}")
        everything = list(board_queryset(query, csm, today))
        seen = []
        cursor = None
        for _ in range(10):
            params = f"sort={sort}" + (f"&after={cursor}" if cursor else "")
            page = board_page(q(params), csm, today, size=50)
            seen += [a.pk for a in page.rows]
            cursor = page.next_cursor
            if not cursor:
                break
        assert seen == [a.pk for a in everything]
        assert len(seen) == len(set(seen)) == 130

    def test_it_follows_the_next_link_on_the_page(self, client, csm):
        Account.objects.bulk_create(
            Account(name=f"Bulk {i:03d}", risk_score=i % 100, risk_level=RiskLevel.LOW)
            for i in range(120)
        )
        client.force_login(csm)
        response = client.get(URL)
        assert len(names(response)) == 50
        next_qs = response.context["next_qs"]
        second = client.get(f"{URL}?{next_qs}")
        third = client.get(f"{URL}?{second.context['next_qs']}")
        assert len(names(second)) == 50 and len(names(third)) == 20
        assert third.context["next_qs"] == ""
        assert not set(names(response)) & set(names(second))

    @pytest.mark.parametrize(
        "cursor", ["x~1", "5~", "5~abc", "~", "1e400~3", "NaN~2", "99999999999999999999~1"]
    )
    @pytest.mark.parametrize("sort", ["risk", "health", "arr", "renewal"])
    def test_it_ignores_a_malformed_cursor(self, csm, cursor, sort):
        assert q(f"sort={sort}&after={cursor}").after is None


class TestBoardQuery:
    def test_it_keeps_only_whitelisted_values(self):
        query = q("sort=csm__password&tier=1;DROP&level=evil&renewal=7&csm=x&quarter=2026Q9")
        assert query.sort == "risk"
        assert query.tiers == [] and query.levels == []
        assert query.renewal_days is None and query.csm is None and query.quarter is None

    def test_it_round_trips_its_parameters(self):
        query = q("mine=1&tier=2&tier=1&level=high&renewal=90&sort=arr&quarter=2027Q1")
        assert q(query.querystring()).filter_params() == query.filter_params()

    def test_it_defaults_to_mine_on_the_csm_home(self):
        assert BoardQuery.from_params(QueryDict(""), default_mine=True).mine
        assert not BoardQuery.from_params(QueryDict("mine=0"), default_mine=True).mine


class TestQuarters:
    def test_it_lists_this_quarter_and_the_next_three(self):
        quarters = next_quarters(date(2026, 11, 23))
        assert [x.key for x in quarters] == ["2026Q4", "2027Q1", "2027Q2", "2027Q3"]
        assert quarters[0].upcoming_range(date(2026, 11, 23)) == (
            date(2026, 11, 23),
            date(2026, 12, 31),
        )
        assert quarters[1].start == date(2027, 1, 1) and quarters[1].end == date(2027, 3, 31)
        assert Quarter(2027, 2).end == date(2027, 6, 30)


@pytest.mark.django_db
def test_it_sums_arr_at_risk_of_high_and_critical_accounts_per_quarter():
    today = date(2026, 11, 23)
    common = {"risk_level": RiskLevel.HIGH, "risk_score": 75}
    Account.objects.create(name="a", arr=100, renewal_date=date(2026, 12, 1), **common)
    Account.objects.create(name="b", arr=50, renewal_date=date(2026, 12, 31), **common)
    Account.objects.create(
        name="c", arr=7, renewal_date=date(2027, 2, 1), risk_level="critical", risk_score=90
    )
    Account.objects.create(name="past", arr=1000, renewal_date=date(2026, 11, 1), **common)
    Account.objects.create(name="later", arr=1000, renewal_date=date(2027, 10, 1), **common)
    Account.objects.create(
        name="medium", arr=1000, renewal_date=date(2026, 12, 2), risk_level="medium"
    )
    with CaptureQueriesContext(connection) as ctx:
        figures = arr_at_risk_by_quarter(today)
    assert len(ctx.captured_queries) == 1
    assert [(f.quarter.key, f.arr, f.accounts) for f in figures] == [
        ("2026Q4", Decimal(150), 2),
        ("2027Q1", Decimal(7), 1),
        ("2027Q2", Decimal(0), 0),
        ("2027Q3", Decimal(0), 0),
    ]


def test_it_picks_the_three_biggest_factors():
    assert [f["name"] for f in top_factors(FACTORS)] == [
        "Churn language",
        "Usage drop",
        "Open escalation",
    ]
    assert top_factors([{"points": 3}, "junk", None]) == []


@pytest.mark.django_db
def test_it_lists_only_csms_in_the_csm_filter(client, csm, lead):
    make_user("another_lead", Role.LEAD)
    client.force_login(lead)
    select = client.get(URL).content.decode().split('name="csm">')[1].split("</select>")[0]
    assert re.findall(r'<option value="(\d*)"', select) == ["", str(csm.pk)]
