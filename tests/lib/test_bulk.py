"""vipdesk/lib/bulk.py: the writer thread behind seed_demo's large loads."""

import pytest

from vipdesk.lib.bulk import BackgroundLoad

pytestmark = pytest.mark.django_db


def threaded_load() -> BackgroundLoad:
    load = BackgroundLoad([])
    load.threaded = True  # inside the test transaction it would write inline
    return load


def test_it_writes_inline_inside_an_outer_transaction():
    done = []
    with BackgroundLoad([]) as load:
        assert not load.threaded
        load.submit(done.append, 1)
        assert done == [1]


def test_it_runs_every_batch_in_order_on_its_thread():
    done = []
    with threaded_load() as load:
        for n in range(10):
            load.submit(done.append, n)
    assert done == list(range(10))
    assert not load.thread.is_alive()


def test_it_hands_a_writer_failure_to_the_caller():
    def fail():
        raise ValueError("disk full")

    with pytest.raises(ValueError, match="disk full"), threaded_load() as load:
        load.submit(fail)
        for _ in range(20):
            load.submit(lambda: None)
    assert not load.thread.is_alive()


def test_a_failing_caller_rolls_the_load_back():
    with pytest.raises(KeyError), threaded_load() as load:
        load.submit(lambda: None)
        raise KeyError("generator bug")
    assert isinstance(load.error, RuntimeError)
