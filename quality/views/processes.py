"""Pages of the quality system: processes (being written)."""

pages: list = []
