"""Pages of the quality system: suggestions (being written)."""

pages: list = []
agency_pages: list = []
