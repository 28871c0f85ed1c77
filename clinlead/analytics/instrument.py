"""A leader-index instrument as data: items, behaviours, scale, wellbeing items and cut-offs.

Nothing in the scoring code knows how many items there are or what they say; it all comes
from an `Instrument`, loaded from a dict or a JSON file. The default, `clbi-v1`, is transcribed
from the design note INSTRUMENT.md into `instruments/clbi-v1.json`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

INSTRUMENTS_DIR = Path(__file__).resolve().parent / "instruments"
DEFAULT_INSTRUMENT_ID = "clbi-v1"


class InstrumentError(ValueError):
    """The instrument data is not usable."""


@dataclass(frozen=True)
class ScalePoint:
    value: int
    label: str


@dataclass(frozen=True)
class Item:
    id: str
    behaviour: str
    text: str


@dataclass(frozen=True)
class WellbeingItem:
    """A single wellbeing question; the outcome is present when the answer is >= cutoff."""

    id: str
    text: str
    options: tuple[ScalePoint, ...]
    cutoff: int
    outcome: str

    @property
    def values(self) -> tuple[int, ...]:
        return tuple(p.value for p in self.options)


@dataclass(frozen=True)
class CommentPrompt:
    id: str
    prompt: str
    min_n: int


@dataclass(frozen=True)
class Instrument:
    id: str
    name: str
    version: int
    stem: str
    scale: tuple[ScalePoint, ...]
    items: tuple[Item, ...]
    burnout: WellbeingItem
    satisfaction: WellbeingItem
    comment: CommentPrompt | None = None
    # A response keeps an index while at most this many items are unanswered.
    max_missing: int = 2

    @property
    def n_items(self) -> int:
        return len(self.items)

    @cached_property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(item.id for item in self.items)

    @cached_property
    def scale_values(self) -> tuple[int, ...]:
        return tuple(p.value for p in self.scale)

    @property
    def scale_min(self) -> int:
        return self.scale[0].value

    @property
    def scale_max(self) -> int:
        return self.scale[-1].value

    @property
    def index_min(self) -> int:
        return self.scale_min * self.n_items

    @property
    def index_max(self) -> int:
        return self.scale_max * self.n_items

    @property
    def min_answered(self) -> int:
        return self.n_items - self.max_missing

    @cached_property
    def behaviours(self) -> dict[str, tuple[int, ...]]:
        """Behaviour name -> positions (0-based) of its items, in first-appearance order."""
        out: dict[str, list[int]] = {}
        for pos, item in enumerate(self.items):
            out.setdefault(item.behaviour, []).append(pos)
        return {name: tuple(positions) for name, positions in out.items()}

    @property
    def wellbeing(self) -> tuple[WellbeingItem, WellbeingItem]:
        return (self.burnout, self.satisfaction)

    @cached_property
    def csv_header(self) -> tuple[str, ...]:
        """The analyst CSV header for this instrument (one row per response)."""
        return (
            ("cycle", "leader_id", "unit", "profession")
            + self.item_ids
            + (self.burnout.id, self.satisfaction.id)
        )

    def to_dict(self) -> dict[str, Any]:
        def points(ps: tuple[ScalePoint, ...]) -> list[dict[str, Any]]:
            return [{"value": p.value, "label": p.label} for p in ps]

        def wellbeing(w: WellbeingItem) -> dict[str, Any]:
            return {
                "id": w.id,
                "text": w.text,
                "options": points(w.options),
                "cutoff": w.cutoff,
                "outcome": w.outcome,
            }

        data: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "version": self.version,
            "stem": self.stem,
            "scale": points(self.scale),
            "max_missing": self.max_missing,
            "items": [{"id": i.id, "behaviour": i.behaviour, "text": i.text} for i in self.items],
            "burnout": wellbeing(self.burnout),
            "satisfaction": wellbeing(self.satisfaction),
        }
        if self.comment is not None:
            data["comment"] = {
                "id": self.comment.id,
                "prompt": self.comment.prompt,
                "min_n": self.comment.min_n,
            }
        return data


def _require(data: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in data:
        raise InstrumentError(f"{where}: missing {key!r}")
    return data[key]


def _points(raw: Any, where: str) -> tuple[ScalePoint, ...]:
    if not isinstance(raw, list) or not raw:
        raise InstrumentError(f"{where}: expected a non-empty list of points")
    pts = tuple(
        ScalePoint(value=int(_require(p, "value", where)), label=str(_require(p, "label", where)))
        for p in raw
    )
    values = [p.value for p in pts]
    # Scores are averaged, so the points must be consecutive integers in order.
    if values != list(range(values[0], values[0] + len(values))):
        raise InstrumentError(f"{where}: values must be consecutive integers, got {values}")
    return pts


def _wellbeing(raw: Any, key: str) -> WellbeingItem:
    if not isinstance(raw, Mapping):
        raise InstrumentError(f"{key}: expected an object")
    options = _points(_require(raw, "options", key), f"{key}.options")
    cutoff = int(_require(raw, "cutoff", key))
    if not options[0].value < cutoff <= options[-1].value:
        raise InstrumentError(f"{key}: cutoff {cutoff} must split the options")
    return WellbeingItem(
        id=str(raw.get("id", key)),
        text=str(_require(raw, "text", key)),
        options=options,
        cutoff=cutoff,
        outcome=str(raw.get("outcome", key)),
    )


def load_instrument(*, data: Mapping[str, Any]) -> Instrument:
    """Build and validate an Instrument from plain data (the JSON shape of clbi-v1.json)."""
    if not isinstance(data, Mapping):
        raise InstrumentError("instrument: expected an object")
    raw_items = _require(data, "items", "instrument")
    if not isinstance(raw_items, list) or not raw_items:
        raise InstrumentError("instrument: items must be a non-empty list")
    items = tuple(
        Item(
            id=str(_require(it, "id", "item")),
            behaviour=str(_require(it, "behaviour", "item")),
            text=str(it.get("text", "")),
        )
        for it in raw_items
    )
    ids = [i.id for i in items]
    if len(set(ids)) != len(ids):
        raise InstrumentError("instrument: item ids must be unique")
    max_missing = int(data.get("max_missing", 2))
    if not 0 <= max_missing < len(items):
        raise InstrumentError(
            f"instrument: max_missing must be between 0 and {len(items) - 1}, got {max_missing}"
        )
    comment = None
    if data.get("comment") is not None:
        c = data["comment"]
        comment = CommentPrompt(
            id=str(c.get("id", "comment")),
            prompt=str(_require(c, "prompt", "comment")),
            min_n=int(c.get("min_n", 10)),
        )
    instrument = Instrument(
        id=str(_require(data, "id", "instrument")),
        name=str(data.get("name", data["id"])),
        version=int(data.get("version", 1)),
        stem=str(data.get("stem", "")),
        scale=_points(_require(data, "scale", "instrument"), "scale"),
        items=items,
        burnout=_wellbeing(_require(data, "burnout", "instrument"), "burnout"),
        satisfaction=_wellbeing(_require(data, "satisfaction", "instrument"), "satisfaction"),
        comment=comment,
        max_missing=max_missing,
    )
    header = instrument.csv_header
    if len(set(header)) != len(header):
        raise InstrumentError(f"instrument: column names collide in the CSV header {header}")
    return instrument


def load_instrument_file(*, path: str | Path) -> Instrument:
    with open(path, encoding="utf-8") as fh:
        return load_instrument(data=json.load(fh))


@cache
def default_instrument() -> Instrument:
    return load_instrument_file(path=INSTRUMENTS_DIR / f"{DEFAULT_INSTRUMENT_ID}.json")
