"""vipdesk/lib/bulk.py: the writer thread and the worker processes behind seed_demo's
large loads, and insert_objects (intake's batches)."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import Account, AccountDomain
from tickets.models import Ticket, TicketMessage
from vipdesk.lib.bulk import BackgroundLoad, BulkWriter, insert_objects, load_chunks

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


def account_chunk(i: int) -> tuple[list, int]:
    """A chunk for load_chunks: module-level, so worker processes can unpickle it."""
    return [[(100 + 10 * i + n, f"Chunk {i} account {n}") for n in range(3)]], i


def domains_of_a_missing_account(i: int) -> tuple[list, int]:
    return [[(100 + i, 999_999, f"d{i}.example")]], i


def names_in_order() -> list[str]:
    return list(Account.objects.order_by("id").values_list("name", flat=True))


def test_load_chunks_writes_inline_inside_a_transaction():
    seen = []
    peak = load_chunks(account_chunk, 3, [BulkWriter(Account, ["id", "name"])], seen.append)
    assert seen == [0, 1, 2]
    assert names_in_order() == [f"Chunk {i} account {n}" for i in range(3) for n in range(3)]
    assert peak == 0  # no worker


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("workers", [2, 3])
def test_load_chunks_builds_in_worker_processes_and_writes_in_chunk_order(workers):
    # 11 chunks: this process builds one in 2 × (workers - 1) + 1 (0, 3, 6, 9 or 0, 5,
    # 10), the workers the others, a round ahead.
    seen = []
    writer = BulkWriter(Account, ["id", "name"])
    peak = load_chunks(account_chunk, 11, [writer], seen.append, rebuild=True, workers=workers)
    assert seen == list(range(11))
    assert names_in_order() == [f"Chunk {i} account {n}" for i in range(11) for n in range(3)]
    assert peak > 0  # the workers' peak memory, KiB


@pytest.mark.django_db(transaction=True)
def test_load_chunks_writes_the_same_rows_whatever_the_number_of_workers():
    loaded = []
    for workers in (1, 2, 3):
        Account.objects.all().delete()
        load_chunks(account_chunk, 7, [BulkWriter(Account, ["id", "name"])], print, workers=workers)
        loaded.append(list(Account.objects.order_by("id").values_list("id", "name")))
    assert loaded[0] == loaded[1] == loaded[2]
    assert len(loaded[0]) == 7 * 3


@pytest.mark.django_db(transaction=True)
def test_a_large_load_still_checks_foreign_keys_when_it_puts_them_back():
    writer = BulkWriter(AccountDomain, ["id", "account_id", "domain"])
    with pytest.raises(IntegrityError):
        load_chunks(domains_of_a_missing_account, 2, [writer], print, rebuild=True)
    assert not AccountDomain.objects.exists()
    with connection.cursor() as cursor:  # and the foreign key is back
        cursor.execute(
            "SELECT count(*) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
            [AccountDomain._meta.db_table],
        )
        assert cursor.fetchone()[0] == 1


def test_insert_objects_leaves_the_objects_as_bulk_create_would():
    account = Account.objects.create(name="Acme")
    new = Ticket(
        source=Ticket.Source.API,
        external_id="copied",
        subject="Copied",
        customer_priority="P2",
        created_at=timezone.now(),
        account=account,
        tags=["a", 'quote " and \\ backslash'],
        escalation_request=None,
    )
    message = TicketMessage(ticket=new, body="Hello\tthere\n", created_at=timezone.now())
    insert_objects(Ticket, [new])
    insert_objects(TicketMessage, [message])  # its ticket_id comes from the saved ticket
    assert new.pk and message.pk and not new._state.adding
    stored = Ticket.objects.get(pk=new.pk)
    assert stored.account_id == account.pk and stored.updated_at is not None
    assert stored.tags == ["a", 'quote " and \\ backslash']
    # None in a nullable JSON field is SQL NULL, as Django writes it.
    assert Ticket.objects.filter(pk=new.pk, escalation_request__isnull=True).exists()
    assert TicketMessage.objects.get(pk=message.pk).body == "Hello\tthere\n"


def test_insert_objects_raises_django_errors():
    existing = Account.objects.create(name="Acme")
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_objects(Account, [Account(pk=existing.pk, name="Duplicate")])
    assert Account.objects.get(pk=existing.pk).name == "Acme"
