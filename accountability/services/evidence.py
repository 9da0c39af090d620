"""Placeholder: the evidence-pack builder replaces this module."""

from __future__ import annotations


def evidence_pack_build(*, pack_id: int) -> None:
    return None
