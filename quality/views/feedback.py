"""Pages of the quality system: feedback (being written)."""

pages: list = []
