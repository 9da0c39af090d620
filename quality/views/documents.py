"""Pages of the quality system: documents (being written)."""

pages: list = []
