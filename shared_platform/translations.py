"""Translation catalogues: where they are, compiling them, and which strings the code asks to translate.

Catalogues live beside the code that uses them, one per app:
`<app>/locale/<language>/LC_MESSAGES/django.po`, in French, Spanish and
Portuguese (Brazil) (settings.LANGUAGES). `manage.py compile_translations`
turns them into the `.mo` files Django reads (with polib, so no GNU gettext is
needed to run the platform); `make run` and `make test` call it.

`translatable_strings()` finds every string the code marks for translation
(gettext and friends in Python, `{% translate %}` and `{% blocktranslate %}`
in templates, via Django's own `templatize`), so the suite can check that each
has a translation in every catalogue without GNU gettext installed.
Developers extract new strings with `manage.py makemessages` (GNU gettext).
"""

from __future__ import annotations

import ast
import io
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polib
from django.apps import apps
from django.conf import settings
from django.utils.translation import to_locale
from django.utils.translation.template import templatize

# The gettext functions whose first argument (and for plurals, second) is a message to translate.
SINGULAR = {"gettext", "gettext_lazy", "_", "gettext_noop", "pgettext", "pgettext_lazy"}
PLURAL = {"ngettext", "ngettext_lazy", "npgettext", "npgettext_lazy"}
CONTEXT = {"pgettext", "pgettext_lazy", "npgettext", "npgettext_lazy"}


@dataclass(frozen=True, order=True)
class Message:
    msgid: str
    context: str = ""
    plural: str = ""


def project_apps() -> list[tuple[str, Path]]:
    """(label, folder) of this project's apps: those inside the repository, not the installed libraries."""
    root = Path(settings.BASE_DIR).resolve()
    found = []
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if path.is_relative_to(root) and ".venv" not in path.parts:
            found.append((config.label, path))
    return found


def translated_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def catalogue_path(app_path: Path, language: str) -> Path:
    return app_path / "locale" / to_locale(language) / "LC_MESSAGES" / "django.po"


def catalogues_compile() -> list[Path]:
    """Compile every app's .po into the .mo beside it, when the .po is newer. Returns what was compiled."""
    compiled = []
    for _label, path in project_apps():
        for po_path in sorted((path / "locale").glob("*/LC_MESSAGES/django.po")):
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
            compiled.append(mo_path)
    return compiled


def _python_messages(source: str) -> Iterator[Message]:
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        if name not in SINGULAR | PLURAL:
            continue
        strings = [
            arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None for arg in node.args
        ]
        context = ""
        if name in CONTEXT:
            context, strings = (strings[0] or ""), strings[1:]
        if not strings or strings[0] is None:
            continue
        plural = strings[1] if name in PLURAL and len(strings) > 1 and strings[1] else ""
        yield Message(strings[0], context, plural or "")


def _template_messages(source: str, origin: str) -> Iterator[Message]:
    """Django's templatize turns a template into gettext calls among filler ("XXXX BBBB") that is not Python,
    so its calls are read token by token rather than parsed."""
    code = templatize(source, origin=origin)
    # Indentation means nothing here, and a tag's gettext call (`{% sort_header sort "due" _("Due") %}`) is
    # indented one column off its line's, which Python's tokenizer would refuse: each line is read flush left.
    code = "\n".join(line.lstrip() for line in code.splitlines())
    tokens = [token for token in tokenize.generate_tokens(io.StringIO(code).readline) if token.type != tokenize.NL]
    for index, token in enumerate(tokens):
        if token.type != tokenize.NAME or token.string not in SINGULAR | PLURAL:
            continue
        if index + 2 >= len(tokens) or tokens[index + 1].string != "(":
            continue
        strings = []
        for argument in tokens[index + 2 :]:
            if argument.type == tokenize.STRING:
                strings.append(ast.literal_eval(argument.string))
            elif argument.string != ",":
                break
        context = ""
        if token.string in CONTEXT and strings:
            context, strings = strings[0], strings[1:]
        if strings:
            plural = strings[1] if token.string in PLURAL and len(strings) > 1 else ""
            yield Message(strings[0], context, plural)


def translatable_strings(app_path: Path) -> set[Message]:
    """Every message the app's Python files and templates ask to translate (migrations and tests left out)."""
    found: set[Message] = set()
    for file in app_path.rglob("*.py"):
        if "migrations" in file.parts or "tests" in file.parts:
            continue
        found.update(_python_messages(file.read_text()))
    for pattern in ("templates/**/*.html", "templates/**/*.txt"):
        for file in app_path.glob(pattern):
            found.update(_template_messages(file.read_text(), str(file)))
    return {message for message in found if message.msgid.strip()}
