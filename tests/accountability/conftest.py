"""Fixtures shared by the accountability tests live in each part's own module (or a fixtures_<part>.py it imports)."""
