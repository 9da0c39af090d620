"""Pages of the quality system: audits (being written)."""

pages: list = []
