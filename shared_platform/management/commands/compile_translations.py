from django.core.management.base import BaseCommand

from shared_platform.translations import catalogues_compile


class Command(BaseCommand):
    help = "Compile every app's translation catalogues (.po) into the .mo files Django reads (no GNU gettext needed)."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        compiled = catalogues_compile()
        self.stdout.write(f"Translation catalogues compiled: {len(compiled)}.")
