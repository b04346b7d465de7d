"""The business-hours calendar admin: country holidays, the default calendar, pools."""

import time_machine
from django.utils.html import escape

from accounts.models import PolicyChange
from tests.admin.test_policy_validation import assert_refused, post_change
from tests.factories import make_pool
from tickets.models import BusinessHours, SupportCalendar


def add_calendar(client, **fields):
    data = {"name": "UK support", "time_zone": "Europe/London", "holiday_years_ahead": 1}
    return client.post("/admin/tickets/supportcalendar/add/", data | fields)


@time_machine.travel("2026-06-01 12:00Z", tick=False)
def test_a_new_calendar_gets_the_default_hours_and_its_countrys_holidays(admin_client):
    response = add_calendar(admin_client, country="GB", subdivision="eng")
    assert response.status_code == 302
    uk = SupportCalendar.objects.get(name="UK support")
    assert (uk.country, uk.subdivision) == ("GB", "ENG")
    assert list(uk.hours.values_list("weekday", flat=True)) == [0, 1, 2, 3, 4]
    assert uk.holidays.filter(day="2027-12-27", name="Christmas Day (observed)").exists()
    assert not uk.holidays.filter(day__year=2028).exists()
    assert PolicyChange.objects.filter(model="tickets.SupportCalendar").count() == 1
    messages = [str(m) for m in admin_client.get("/admin/").context["messages"]]
    assert messages[0] == "UK support: 19 public holidays added."  # 2026 and 2027


def test_countries_are_chosen_by_name(admin_client):
    page = admin_client.get("/admin/tickets/supportcalendar/add/").content.decode()
    assert '<option value="GB">United Kingdom (GB)</option>' in page
    assert '<option value="US">United States (US)</option>' in page


def test_the_fill_action_regenerates_idempotently(admin_client):
    add_calendar(admin_client, country="US")
    us = SupportCalendar.objects.get(name="UK support")
    count = us.holidays.count()
    response = admin_client.post(
        "/admin/tickets/supportcalendar/",
        {"action": "fill_public_holidays", "_selected_action": [us.pk]},
        follow=True,
    )
    assert "UK support: 0 public holidays added." in response.content.decode()
    assert us.holidays.count() == count


def test_it_refuses_an_unknown_country_subdivision_or_time_zone(admin_client):
    assert_refused(add_calendar(admin_client, country="XX"), "Select a valid choice")
    assert_refused(add_calendar(admin_client, country="GB", subdivision="CA"), "ENG, NIR")
    assert_refused(add_calendar(admin_client, subdivision="CA"), "A subdivision needs a country")
    assert_refused(add_calendar(admin_client, time_zone="Mars/Olympus"), "Unknown time zone")
    assert not SupportCalendar.objects.exclude(is_default=True).exists()


def test_an_admin_makes_another_calendar_the_default(admin_client):
    add_calendar(admin_client)
    uk = SupportCalendar.objects.get(name="UK support")
    assert not uk.is_default
    admin_client.post(
        "/admin/tickets/supportcalendar/",
        {"action": "make_default", "_selected_action": [uk.pk]},
    )
    assert SupportCalendar.objects.get(is_default=True) == uk
    assert PolicyChange.objects.filter(object_id=str(uk.pk), action="update").exists()


def test_it_refuses_to_delete_the_default_calendar(admin_client):
    default = SupportCalendar.objects.get(is_default=True)
    response = admin_client.post(
        f"/admin/tickets/supportcalendar/{default.pk}/delete/", {"post": "yes"}
    )
    assert_refused(response, "The default calendar serves every tier without its own")
    assert BusinessHours.objects.filter(calendar=default).count() == 5


def test_pools_of_one_tier_share_a_calendar(admin_client):
    add_calendar(admin_client)
    add_calendar(admin_client, name="US support")
    uk, us = (
        SupportCalendar.objects.get(name="UK support"),
        SupportCalendar.objects.get(name="US support"),
    )
    make_pool(name="Gold London", tier=2, calendar=uk)
    other = make_pool(name="Gold Boston", tier=2)
    response = post_change(admin_client, other, calendar=us.pk)
    assert response.status_code == 200
    assert escape("“Gold London” uses UK support") in response.content.decode()

    post_change(admin_client, other, calendar=uk.pk)
    other.refresh_from_db()
    assert other.calendar == uk
