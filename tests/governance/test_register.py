"""The decision register: append-only in the database, chained by SHA-256, verifiable by anyone."""

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction

from governance import selectors, services
from governance.models import GENESIS_HASH, BallotRecord, RegisterEntry
from governance.register import entry_hash_compute, register_verify

pytestmark = pytest.mark.django_db


@contextmanager
def triggers_off() -> Iterator[None]:
    """What a database superuser could do: switch the append-only triggers off (undone with the test's transaction)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")


@pytest.fixture
def three_decisions(six_members, make_motion, vote, secretary) -> list[RegisterEntry]:
    entries = []
    for number in range(3):
        motion = make_motion(title=f"Decision {number + 1}")
        for agency in six_members[:4]:
            vote(motion, agency, "for")
        entries.append(services.motion_close(motion=motion, closed_by=secretary))
    return entries


def test_each_entry_carries_the_hash_of_the_one_before(three_decisions):
    first, second, third = three_decisions
    assert [entry.number for entry in three_decisions] == [1, 2, 3]
    assert first.previous_hash == GENESIS_HASH
    assert second.previous_hash == first.entry_hash
    assert third.previous_hash == second.entry_hash


def test_the_hash_is_sha256_of_the_canonical_json_of_the_entry(three_decisions):
    # given an entry read back from the database
    entry = RegisterEntry.objects.get(number=2)

    # when its hash is computed by hand, as an outside verifier would
    body = {
        "number": 2,
        "recorded_at": entry.recorded_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "content": entry.content,
        "previous_hash": entry.previous_hash,
    }
    by_hand = hashlib.sha256(
        json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    ).hexdigest()

    # then
    assert entry.entry_hash == by_hand


def test_an_intact_register_verifies(three_decisions):
    result = register_verify()
    assert result.is_intact
    assert result.entries_checked == 3
    assert result.head_hash == three_decisions[-1].entry_hash


def test_the_database_refuses_to_update_a_register_entry(three_decisions):
    # when the ORM, or raw SQL, changes an entry
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        RegisterEntry.objects.filter(number=2).update(content={"outcome": "rejected"})
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE governance_registerentry SET entry_hash = 'x' WHERE number = 1")

    # then nothing changed
    assert register_verify().is_intact


def test_the_database_refuses_to_delete_a_register_entry(three_decisions):
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM governance_registerentry WHERE number = 3")
    assert RegisterEntry.objects.count() == 3


def test_the_database_refuses_to_rewrite_the_ballot_history(three_decisions):
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        BallotRecord.objects.update(choice="against")
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        BallotRecord.objects.all().delete()


def test_a_tampered_entry_is_found_by_the_verifier(three_decisions):
    # given someone with the power to switch triggers off rewrites entry 2's outcome with raw SQL
    with triggers_off(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE governance_registerentry SET content = jsonb_set(content, '{outcome}', '\"rejected\"') "
            "WHERE number = 2"
        )

    # when
    result = register_verify()

    # then the verifier points at entry 2
    assert not result.is_intact
    assert result.first_broken_number == 2
    assert result.entries_checked == 1
    assert "changed after it was recorded" in result.problem


def test_a_tampered_entry_with_a_recomputed_hash_breaks_the_next_link(three_decisions):
    # given entry 2 rewritten and its own hash recomputed to match
    entry = RegisterEntry.objects.get(number=2)
    forged = {**entry.content, "outcome": "rejected"}
    forged_hash = entry_hash_compute(
        number=2, recorded_at=entry.recorded_at, content=forged, previous_hash=entry.previous_hash
    )
    with triggers_off(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE governance_registerentry SET content = %s::jsonb, entry_hash = %s WHERE number = 2",
            [json.dumps(forged), forged_hash],
        )

    # when / then entry 3 no longer carries entry 2's hash
    result = register_verify()
    assert result.first_broken_number == 3
    assert "does not carry the hash of entry 2" in result.problem


def test_a_removed_entry_is_found_by_the_verifier(three_decisions):
    with triggers_off(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM governance_registerentry WHERE number = 2")
    result = register_verify()
    assert result.first_broken_number == 3
    assert "missing" in result.problem


def test_the_command_verifies_the_register(three_decisions, capsys):
    call_command("verify_register")
    assert "3 entries verified" in capsys.readouterr().out


def test_the_command_fails_and_names_the_first_broken_entry(three_decisions):
    # given a tampered entry
    with triggers_off(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE governance_registerentry SET recorded_at = recorded_at + interval '1 day' WHERE number = 1"
        )

    # when / then (CommandError: exit status 1 from manage.py)
    with pytest.raises(CommandError, match="broken at entry 1"):
        call_command("verify_register")


def test_an_empty_register_verifies(db):
    assert register_verify().is_intact
    assert register_verify().entries_checked == 0


def test_billing_finds_a_decision_by_its_number(three_decisions):
    assert selectors.register_entry_get(number=2) == three_decisions[1]
    assert selectors.register_entry_get(number=99) is None
