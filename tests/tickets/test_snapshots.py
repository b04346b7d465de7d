"""Stored page figures (tickets/snapshots.py): their age on the page, the refresh a
page asks for when they are missing or stale, and the jobs that store them."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.factories import make_agent, make_pool
from tickets import snapshots
from tickets.models import Snapshot
from tickets.snapshots import STALE_AFTER, Figures
from tickets.staffing import pools
from vipdesk.insight import dashboard

NOW = datetime(2026, 12, 15, 12, 0, tzinfo=UTC)


def test_it_says_how_old_the_figures_are():
    assert Figures({}, NOW - timedelta(seconds=42), NOW).age_label == "42 s"
    assert Figures({}, NOW - timedelta(minutes=7), NOW).age_label == "7 min"
    assert Figures({}, NOW - timedelta(minutes=185), NOW).age_label == "3 h 5 min"
    assert not Figures({}, NOW - STALE_AFTER, NOW).stale
    assert Figures({}, NOW - STALE_AFTER - timedelta(seconds=1), NOW).stale
    pending = Figures(None, None, NOW)
    assert pending.pending and not pending.stale and pending.age is None


pytestmark = pytest.mark.django_db


def calls():
    made = []

    def refresh():
        made.append(timezone.now())
        snapshots.store("test", {"n": len(made)}, timezone.now())

    return made, refresh


@time_machine.travel(NOW, tick=False)
def test_it_computes_missing_figures_at_once_without_redis():
    made, refresh = calls()
    figures = snapshots.read("test", refresh, NOW)
    assert figures.data == {"n": 1} and figures.computed_at == NOW and len(made) == 1
    assert snapshots.read("test", refresh, NOW).data == {"n": 1} and len(made) == 1


def test_it_refreshes_stale_figures_without_redis():
    made, refresh = calls()
    snapshots.store("test", {"n": 0}, NOW - STALE_AFTER)
    with time_machine.travel(NOW, tick=False):
        assert snapshots.read("test", refresh, NOW).data == {"n": 0}  # not stale yet
        later = NOW + timedelta(seconds=1)
    with time_machine.travel(later, tick=False):
        figures = snapshots.read("test", refresh, later)
    assert figures.data == {"n": 1} and not figures.stale


def use_test_redis(settings):
    settings.REDIS_URL = settings.TEST_REDIS_URL
    settings.RQ_QUEUES = {q: {"URL": settings.TEST_REDIS_URL} for q in ("high", "default", "low")}


@pytest.mark.rq
@time_machine.travel(NOW, tick=False)
def test_it_queues_one_refresh_a_minute_with_redis(settings, redis_connection):
    import django_rq

    use_test_redis(settings)
    queue = django_rq.get_queue("default")
    first = snapshots.read(pools.FIGURES, pools.refresh_figures, NOW)
    again = snapshots.read(pools.FIGURES, pools.refresh_figures, NOW + timedelta(seconds=30))
    assert first.pending and again.pending
    assert [j.func_name for j in queue.get_jobs()] == ["tickets.staffing.pools.refresh_figures"]
    assert queue.get_jobs()[0].id == "snapshot-pools-202612151200"
    snapshots.read(pools.FIGURES, pools.refresh_figures, NOW + timedelta(minutes=1))
    assert len(queue.get_jobs()) == 2


@pytest.mark.rq
def test_the_pages_say_their_figures_are_being_computed(client, lead, settings, redis_connection):
    use_test_redis(settings)
    make_pool(tier=1, members=[make_agent(level=3)])
    client.force_login(lead)
    for path, what in (
        ("/pools/", "This month's counts, cold transfers, handling times and coverage"),
        ("/dashboard/", "Tier figures, sponsor coverage and pool load"),
    ):
        response = client.get(path)
        assert response.status_code == 200
        html = response.content.decode()
        assert f"<strong>{what} are being computed</strong>" in html, path
    assert "being computed: assumed for now" in client.get("/pools/").content.decode()


@pytest.mark.rq
def test_the_pages_say_when_their_figures_are_stale(client, lead, settings, redis_connection):
    use_test_redis(settings)
    make_pool(tier=1, members=[make_agent(level=3)])
    long_ago = timezone.now() - timedelta(hours=2)
    pools.refresh_figures(long_ago)
    dashboard.refresh_figures(long_ago)
    client.force_login(lead)
    for path in ("/pools/", "/dashboard/"):
        html = client.get(path).content.decode()
        assert "stale</strong>: the job that refreshes them every minute has not run since" in html
        assert "2 h 0 min ago" in html or "1 h 59 min ago" in html


def test_the_pages_say_how_old_their_figures_are(client, lead):
    make_pool(tier=1, members=[make_agent(level=3)])
    stored = timezone.now() - timedelta(seconds=30)
    pools.refresh_figures(stored)
    dashboard.refresh_figures(stored)
    client.force_login(lead)
    for path in ("/pools/", "/dashboard/"):
        html = client.get(path).content.decode()
        assert "ago; refreshed every minute." in html and "stale" not in html
        assert stored.strftime("%H:%M:%S") in html
    assert Snapshot.objects.count() == 2
