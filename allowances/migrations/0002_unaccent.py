from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    """Searching the DSA table ignores accents: "Brasilia" finds Brasília, "Bogota" finds Bogotá."""

    dependencies = [("allowances", "0001_initial")]

    operations = [UnaccentExtension()]
