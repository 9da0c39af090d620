"""The quality dashboard (being written)."""

pages: list = []
