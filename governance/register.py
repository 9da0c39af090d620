"""The decision register's hash chain: appending an entry and verifying the whole chain.

Each entry's hash is the SHA-256 of the canonical JSON (keys sorted, no
spaces, UTF-8) of

    {"number": ..., "recorded_at": "<UTC ISO 8601>", "content": {...}, "previous_hash": "<hex>"}

and `previous_hash` is the hash of the entry before it (64 zeros for the
first). Changing any entry's content, time or number changes its hash, which
no longer matches the hash stored in it or the `previous_hash` of the entry
after it. The database refuses UPDATE and DELETE on the table (trigger,
migration 0002), so a change needs someone who can switch triggers off;
the verifier catches it even then.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext

from .models import GENESIS_HASH, Motion, RegisterEntry

# pg_advisory_xact_lock key taken by every append: two closings at the same
# moment queue behind each other, so the chain never forks (the unique
# previous_hash would refuse a fork anyway; the lock avoids the error).
REGISTER_APPEND_LOCK = 6_0001_0001


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def timestamp_text(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def entry_hash_compute(*, number: int, recorded_at: datetime, content: dict[str, Any], previous_hash: str) -> str:
    body = {
        "number": number,
        "recorded_at": timestamp_text(recorded_at),
        "content": content,
        "previous_hash": previous_hash,
    }
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


def register_append(*, motion: Motion, content: dict[str, Any], recorded_at: datetime) -> RegisterEntry:
    """Add one decision at the end of the chain. Called by services.motion_close only."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [REGISTER_APPEND_LOCK])
        last = RegisterEntry.objects.order_by("-number").only("number", "entry_hash").first()
        number = last.number + 1 if last else 1
        previous_hash = last.entry_hash if last else GENESIS_HASH
        # Through JSON and back: what is hashed is exactly what PostgreSQL will give back.
        content = json.loads(canonical_json(content))
        return RegisterEntry.objects.create(
            number=number,
            motion=motion,
            recorded_at=recorded_at,
            content=content,
            previous_hash=previous_hash,
            entry_hash=entry_hash_compute(
                number=number, recorded_at=recorded_at, content=content, previous_hash=previous_hash
            ),
        )


@dataclass(frozen=True)
class RegisterVerification:
    entries_checked: int
    first_broken_number: int | None = None
    problem: str = ""
    head_hash: str = GENESIS_HASH

    @property
    def is_intact(self) -> bool:
        return self.first_broken_number is None


def register_verify(entries: Iterable[RegisterEntry] | None = None) -> RegisterVerification:
    """Walk the chain from the first entry and stop at the first one that does not hold.

    An entry is broken when its number does not follow the previous one (an
    entry was removed), its previous_hash is not the previous entry's hash,
    its stored hash is not the hash of its content, or its content names
    another motion than the one it is attached to.
    """
    if entries is None:
        entries = RegisterEntry.objects.order_by("number").iterator(chunk_size=500)
    expected_number, previous_hash, checked = 1, GENESIS_HASH, 0
    for entry in entries:
        problem = ""
        if entry.number != expected_number:
            problem = gettext("Entry %(number)d follows entry %(previous)d: an entry is missing.") % {
                "number": entry.number,
                "previous": expected_number - 1,
            }
        elif entry.previous_hash != previous_hash:
            problem = gettext(
                "Entry %(number)d does not carry the hash of entry %(previous)d: one of them was changed."
            ) % {"number": entry.number, "previous": entry.number - 1}
        elif entry.entry_hash != entry_hash_compute(
            number=entry.number,
            recorded_at=entry.recorded_at,
            content=entry.content,
            previous_hash=entry.previous_hash,
        ):
            problem = gettext(
                "Entry %(number)d was changed after it was recorded: its content no longer matches its hash."
            ) % {"number": entry.number}
        elif (entry.content.get("motion") or {}).get("id") != entry.motion_id:
            problem = gettext("Entry %(number)d is attached to another motion than the one it records.") % {
                "number": entry.number
            }
        if problem:
            return RegisterVerification(
                entries_checked=checked, first_broken_number=entry.number, problem=problem, head_hash=previous_hash
            )
        checked += 1
        expected_number += 1
        previous_hash = entry.entry_hash
    return RegisterVerification(entries_checked=checked, head_hash=previous_hash)
