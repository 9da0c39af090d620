"""The models and their migrations agree: nothing is left for makemigrations to write."""

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_model_change_lacks_a_migration() -> None:
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)  # exits with status 1 if one is missing
