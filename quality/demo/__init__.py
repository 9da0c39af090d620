"""The demo's quality system, written through the quality services as the facility would have written it.

Two steps around the beat run that ends the demo (demo/services.py): the
processes, documents and suggestions first, so the nonconformities that beat
opens from the history's breaches find the process that owns each service;
then the work on those nonconformities and the audits, once beat has written
the breaches with no person behind them.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone


def quality_demo_load_before_beat(*, now: datetime | None = None) -> int:
    from .processes import processes_demo_load
    from .suggestions import suggestions_demo_load

    now = now or timezone.now()
    return processes_demo_load(now=now) + suggestions_demo_load(now=now)


def quality_demo_load_after_beat(*, now: datetime | None = None) -> int:
    from .audits import audits_demo_load
    from .nonconformities import nonconformities_demo_load

    now = now or timezone.now()
    return nonconformities_demo_load(now=now) + audits_demo_load(now=now)
