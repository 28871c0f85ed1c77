"""Replace a person's name, e-mail and staff number wherever Clinlead copied them as text.

Labels kept so that records still read after a login goes (`actor_label`, `nominated_by_label`,
the audit trail's `object_repr`, an HR import's journal, a count's candidate names, the
[unit, staff number] cells a published figure covers) hold the identity as text, not as a key.
Rather than list them (a list that a new column would silently outgrow), every text and JSON
column of every table is searched, and each whole-word occurrence is replaced by the person's
pseudonym: the same pseudonym everywhere, so what pointed at the person still points at their
(pseudonymous) record. Runs inside the erasure's transaction.
"""

import json
import re

from django.apps import apps
from django.db import models
from django.db.models import Q, TextField
from django.db.models.functions import Cast

TEXT_FIELDS = (models.CharField, models.TextField)  # EmailField, SlugField... are CharFields
# Sessions hold an encoded login id, never a name; the erasure deletes the login's sessions' user.
SKIPPED = {"sessions.Session"}


def replacements(*, names, staff_number, emails, pseudonym_name, pseudonym_number):
    """[(compiled pattern, replacement)], longest first so "Ann Lee (T1)" goes before "Ann Lee"."""
    pairs = [(n, pseudonym_name) for n in names if n.strip()]
    pairs += [(staff_number, pseudonym_number)] if staff_number else []
    pairs += [(e, "erased@invalid") for e in emails if e]
    pairs.sort(key=lambda pair: -len(pair[0]))
    # Whole words only: erasing "T12" must not touch "T123"; e-mail is matched in any case.
    return [
        (
            re.compile(
                rf"(?<![\w@.]){re.escape(old)}(?![\w@])", re.IGNORECASE if "@" in old else 0
            ),
            new,
        )
        for old, new in pairs
    ]


def _swap(value, patterns):
    if isinstance(value, str):
        for pattern, new in patterns:
            value = pattern.sub(new, value)
        return value
    if isinstance(value, list):
        return [_swap(v, patterns) for v in value]
    if isinstance(value, dict):
        return {_swap(k, patterns): _swap(v, patterns) for k, v in value.items()}
    return value


def _needles(old):
    # A JSON column compared as text may hold the value escaped (SQLite keeps json.dumps's \u00e9).
    return {old, json.dumps(old)[1:-1]}


def _columns(model):
    for field in model._meta.concrete_fields:
        if isinstance(field, models.JSONField):
            yield field, True
        elif isinstance(field, TEXT_FIELDS) and not field.choices:
            yield field, False


def scrub_everywhere(*, patterns, olds, exclude=None):
    """Rewrite every row that mentions any of `olds`; returns {table label: rows changed}."""
    changed = {}
    for model in apps.get_models():
        label = model._meta.label
        if label in SKIPPED or model._meta.proxy or not model._meta.managed:
            continue
        for field, is_json in _columns(model):
            column = f"{field.name}_as_text"
            queryset = model._default_manager.all()
            if is_json:
                queryset = queryset.annotate(**{column: Cast(field.name, TextField())})
                lookup = column
            else:
                lookup = field.name
            wanted = Q()
            for old in olds:
                for needle in _needles(old):
                    wanted |= Q(**{f"{lookup}__icontains": needle})
            for row in queryset.filter(wanted).exclude(pk__in=(exclude or {}).get(label, ())):
                before = getattr(row, field.attname)
                after = _swap(before, patterns)
                if after != before:
                    model._default_manager.filter(pk=row.pk).update(**{field.attname: after})
                    changed[label] = changed.get(label, 0) + 1
    return changed
