"""Sealed bids: what a bid says is stored only encrypted, with a key the database does not hold.

Until the deadline has passed and the opening is recorded nobody can read a
bid's prices or documents: not the buyer, the manager, the administrator, the
API, the admin, a CSV export, nor a person reading the database or a backup.
The key comes from the environment (`BID_SEALING_KEY`, one or more Fernet
keys separated by commas, the first used to seal: keys can be rotated), or,
on a development machine without one, from a key file created once under
`var/` beside the embedded database, never inside it. Only the opening
service (`procurement.services.bids_open`) calls `unseal`.

Fernet (cryptography) is AES-128-CBC with an HMAC-SHA256: a sealed bid that
was altered in the database fails to open instead of opening altered.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

from shared_platform.errors import ApplicationError


@cache
def _box() -> MultiFernet:
    configured = [key.strip() for key in (settings.BID_SEALING_KEY or "").split(",") if key.strip()]
    if not configured:
        configured = [_development_key()]
    return MultiFernet([Fernet(key.encode()) for key in configured])


def _development_key() -> str:
    path = Path(settings.BID_SEALING_KEY_FILE)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as handle:
        key = Fernet.generate_key().decode()
        handle.write(key)
    return key


def seal(document: dict[str, Any]) -> bytes:
    return _box().encrypt(json.dumps(document, separators=(",", ":")).encode())


def seal_bytes(content: bytes) -> bytes:
    return _box().encrypt(content)


def unseal(sealed: bytes | memoryview) -> dict[str, Any]:
    return json.loads(unseal_bytes(sealed))


def unseal_bytes(sealed: bytes | memoryview) -> bytes:
    try:
        return _box().decrypt(bytes(sealed))
    except InvalidToken as error:
        raise ApplicationError(
            "A sealed bid cannot be opened with the key configured (altered, or sealed with another key).",
            code="procurement.seal_broken",
            status_code=409,
        ) from error
