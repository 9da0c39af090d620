"""Every admin list names the tables it joins.

Django's admin, left to itself, joins every non-null foreign key of a model
recursively (`select_related()` with no argument) as soon as one column of the
list is a foreign key. For an SLA breach that is its clock, its request twice,
agencies, services, agreements and calendars: the crawler met such a list
taking minutes. Each admin whose list shows a related object says which ones.
"""

from pathlib import Path

from django.conf import settings
from django.contrib import admin
from django.db.models import ForeignKey, OneToOneField


def _related_columns(model_admin) -> list[str]:  # type: ignore[no-untyped-def]
    names = []
    for column in model_admin.list_display:
        if not isinstance(column, str):
            continue
        try:
            field = model_admin.model._meta.get_field(column)
        except Exception:  # a method or "__str__"
            continue
        if isinstance(field, ForeignKey | OneToOneField):
            names.append(column)
    return names


def _ours(model) -> bool:  # type: ignore[no-untyped-def]
    path = Path(model._meta.app_config.path).resolve()
    return path.is_relative_to(Path(settings.BASE_DIR).resolve()) and ".venv" not in path.parts


def test_every_admin_list_with_a_related_column_names_what_it_joins():
    unnamed = [
        f"{model._meta.label}: {_related_columns(model_admin)}"
        for model, model_admin in admin.site._registry.items()
        if _ours(model)
        and _related_columns(model_admin)
        and not isinstance(model_admin.list_select_related, list | tuple)
    ]
    assert not unnamed, "set list_select_related on: " + "; ".join(unnamed)
