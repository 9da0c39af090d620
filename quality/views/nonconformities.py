"""Pages of the quality system: nonconformities (being written)."""

pages: list = []
