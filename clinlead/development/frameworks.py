"""Competency frameworks as data: reading a framework file and loading it as a new version.

The file format is described in docs/development.md. The structure is loaded (names of
dimensions and levels) and, where the file gives them, each dimension's behaviour statements.
"""

import re
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from clinlead import actions
from clinlead.audit import services as audit
from clinlead.development.models import Dimension, Framework, FrameworkLevel
from clinlead.org.models import Organisation
from clinlead.tabular import TableError, load_json, text_problem

FORMAT = "clinlead-framework-1"
FRAMEWORK_DIR = Path(__file__).resolve().parent / "frameworks"
NATIONAL_FILES = ["nhs-healthcare-leadership-model.json", "nhs-leadership-competency-framework-board.json"]
HEALTHCARE_LEADERSHIP_MODEL = "nhs-healthcare-leadership-model"
BOARD_FRAMEWORK = "nhs-leadership-competency-framework-board"
# A framework file is a few kilobytes; these bounds are far above any real one.
MAX_FILE_CHARS = 1_000_000
MAX_DIMENSIONS = 100
CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
MAX_BEHAVIOURS = 20


def parse_framework(text: str, *, source: str = "the file") -> dict:
    """Check a framework file and return it as plain data; ValidationError names what is wrong."""
    try:
        data = load_json(text, max_chars=MAX_FILE_CHARS)
    except TableError as exc:
        raise ValidationError(f"{source}: {exc}") from None
    if not isinstance(data, dict):
        raise ValidationError(f"{source} must hold one JSON object")
    if data.get("format") != FORMAT:
        raise ValidationError(f'{source}: "format" must be "{FORMAT}"')
    for key in ("code", "name", "version"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise ValidationError(f'{source}: "{key}" must be a non-empty text')
    if not CODE.match(data["code"]):
        raise ValidationError(f'{source}: "code" may use only lower-case letters, digits and hyphens')
    for key, model, column in (("name", Framework, "name"), ("version", Framework, "version"),
                               ("publisher", Framework, "publisher")):
        _check_text(data.get(key, ""), f'{source}: "{key}"', model, column)
    levels = data.get("levels", [])
    if not isinstance(levels, list) or not all(isinstance(x, str) and x.strip() for x in levels):
        raise ValidationError(f'{source}: "levels" must be a list of names, lowest first')
    for i, level in enumerate(levels, start=1):
        _check_text(level, f'{source}: level {i}', FrameworkLevel, "name")
    if len(set(levels)) != len(levels) or len(levels) == 1 or len(levels) > 10:
        raise ValidationError(f'{source}: "levels" must be 2 to 10 different names (or none)')
    dimensions = data.get("dimensions")
    if not isinstance(dimensions, list) or not dimensions:
        raise ValidationError(f'{source}: "dimensions" must be a non-empty list')
    if len(dimensions) > MAX_DIMENSIONS:
        raise ValidationError(f'{source}: {len(dimensions):,} dimensions; a framework has at most {MAX_DIMENSIONS}')
    codes = set()
    for i, item in enumerate(dimensions, start=1):
        where = f"{source}: dimension {i}"
        if not isinstance(item, dict) or set(item) - {"code", "name", "behaviours"}:
            raise ValidationError(f'{where} must have only "code", "name" and "behaviours"')
        behaviours = item.get("behaviours", [])
        if not isinstance(behaviours, list) or len(behaviours) > MAX_BEHAVIOURS or not all(
                isinstance(b, str) and b.strip() and len(b) <= 500 for b in behaviours):
            raise ValidationError(f'{where}: "behaviours" must be a list of up to {MAX_BEHAVIOURS} statements '
                                  "of up to 500 characters each")
        code, name = item.get("code"), item.get("name")
        if not isinstance(code, str) or not CODE.match(code):
            raise ValidationError(f'{where}: "code" may use only lower-case letters, digits and hyphens')
        if not isinstance(name, str) or not name.strip():
            raise ValidationError(f'{where}: "name" must be a text of up to 200 characters')
        _check_text(name, f'{where}: "name"', Dimension, "name")
        if code in codes:
            raise ValidationError(f'{where}: the code "{code}" is used twice')
        codes.add(code)
    organisation = data.get("organisation")
    if organisation is not None and not isinstance(organisation, str):
        raise ValidationError(f'{source}: "organisation" must be an organisation\'s short name (slug)')
    return {
        "code": data["code"], "name": data["name"].strip(), "version": data["version"].strip(),
        "publisher": str(data.get("publisher", "")).strip()[:200], "levels": [x.strip() for x in levels],
        "dimensions": [{"code": d["code"], "name": d["name"].strip(),
                        "behaviours": [b.strip() for b in d.get("behaviours", [])]} for d in dimensions],
        "organisation": organisation,
    }


def _check_text(value, where, model, column):
    limit = model._meta.get_field(column).max_length
    reason = text_problem(value, max_length=limit) if isinstance(value, str) else "must be a text"
    if reason:
        raise ValidationError(f"{where} {reason}")


def write_framework(data, organisation):
    framework = Framework.objects.create(organisation=organisation, code=data["code"], name=data["name"],
                                         version=data["version"], publisher=data["publisher"])
    FrameworkLevel.objects.bulk_create(
        [FrameworkLevel(framework=framework, name=n, rank=i) for i, n in enumerate(data["levels"], start=1)])
    Dimension.objects.bulk_create([Dimension(framework=framework, code=d["code"], name=d["name"], order=i,
                                             behaviours=d.get("behaviours", []))
                                   for i, d in enumerate(data["dimensions"], start=1)])
    return framework


def load_framework(*, actor, text: str, organisation_slug: str | None = None, national: bool = False,
                   source: str = "the file"):
    """Load a framework file as a new version: an organisation's own, or (national=True) a
    national one. A version already loaded is refused; older versions stay as they are."""
    data = parse_framework(text, source=source)
    organisation = None
    if not national:
        slug = organisation_slug or data["organisation"]
        if not slug:
            raise ValidationError(f'{source}: name the organisation ("organisation" in the file or --organisation)')
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            raise ValidationError(f"{source}: there is no organisation called {slug!r}")
    with actions.atomic():
        if Framework.objects.filter(organisation=organisation, code=data["code"], version=data["version"]).exists():
            raise ValidationError(f'{data["name"]} version {data["version"]} is already loaded')
        framework = write_framework(data, organisation)
        audit.record(actor=actor, action="development.framework_loaded", obj=framework, organisation=organisation,
                     after={"code": framework.code, "version": framework.version,
                            "dimensions": len(data["dimensions"]), "levels": len(data["levels"])})
    return framework


def load_national_frameworks(*, actor=None):
    """Load the national frameworks shipped with Clinlead, if not loaded yet (idempotent).
    Runs in the caller's transaction (the demo's, a migration's) or its own."""
    loaded = []
    with transaction.atomic():
        for filename in NATIONAL_FILES:
            data = parse_framework((FRAMEWORK_DIR / filename).read_text(encoding="utf-8"), source=filename)
            if Framework.objects.filter(organisation=None, code=data["code"], version=data["version"]).exists():
                continue
            framework = write_framework(data, None)
            audit.record(actor=actor, action="development.framework_loaded", obj=framework,
                         after={"code": framework.code, "version": framework.version})
            loaded.append(framework)
    return loaded


def current_frameworks(*, organisation):
    """The latest version of each framework open to the organisation: national ones and its own."""
    from django.db.models import Q

    latest = {}
    for framework in Framework.objects.filter(Q(organisation=None) | Q(organisation=organisation)).order_by(
            "code", "-loaded_at", "-id"):
        key = (framework.organisation_id, framework.code)
        latest.setdefault(key, framework)
    return sorted(latest.values(), key=lambda f: (not f.is_national, f.name))


def healthcare_leadership_model():
    return Framework.objects.filter(organisation=None, code=HEALTHCARE_LEADERSHIP_MODEL).order_by(
        "-loaded_at", "-id").first()
