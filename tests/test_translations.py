"""Every language, complete: each string a person reads has its French, Spanish and Portuguese (Brazil) translation.

The check reads the strings the code marks for translation (shared_platform/translations.py) and
each app's catalogues; a new string without its translations fails the suite, naming app, language
and string. The pages then show the chosen language: the person's saved choice, else the browser's.
"""

from __future__ import annotations

import polib
import pytest
from django.conf import settings

from shared_platform.translations import (
    Message,
    catalogue_path,
    project_apps,
    translatable_strings,
    translated_languages,
)


def _translated(entry: polib.POEntry | None, message: Message) -> bool:
    if entry is None or entry.obsolete or "fuzzy" in entry.flags:
        return False
    if message.plural:
        return bool(entry.msgstr_plural) and all(text.strip() for text in entry.msgstr_plural.values())
    return bool(entry.msgstr.strip())


@pytest.mark.parametrize(("label", "path"), project_apps(), ids=[label for label, _path in project_apps()])
def test_every_string_an_app_shows_is_translated_into_every_language(label, path):
    messages = translatable_strings(path)
    if not messages:
        return
    missing: list[str] = []
    for language in translated_languages():
        po_path = catalogue_path(path, language)
        if not po_path.exists():
            missing.append(f"{language}: no catalogue at {po_path.relative_to(settings.BASE_DIR)}")
            continue
        catalogue = polib.pofile(str(po_path))
        for message in sorted(messages):
            entry = catalogue.find(message.msgid, msgctxt=message.context or False)
            if not _translated(entry, message):
                missing.append(f"{language}: {message.msgid!r}")
    assert not missing, f"{label}: {len(missing)} strings without a translation:\n" + "\n".join(missing[:40])
