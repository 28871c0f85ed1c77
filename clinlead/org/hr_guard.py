"""The guard on a full extract that would mark many people, or the wrong people, as having left.

A full extract marks everyone missing from it as having left: their login ends at once. A file
cut short, or exported from the wrong system, would do that to most of the organisation, so
applying it needs a typed confirmation naming the count when it would mark as left

- more than CLINLEAD_HR_LEAVER_CONFIRM_PERCENT (default 5) per cent of an organisation's staff
  in post,
- anyone holding a key position, or
- the person applying it.

`clinlead import-hr` asks for `--confirm-leavers N`; the page asks for "mark N as left".
"""

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings

from clinlead.org.hr_format import HrFileError
from clinlead.org.models import Appointment


def leaver_share_percent() -> float:
    return float(getattr(settings, "CLINLEAD_HR_LEAVER_CONFIRM_PERCENT", 5))


def confirmation_phrase(count: int) -> str:
    return f"mark {count} as left"


def phrase_matches(typed: str, count: int) -> bool:
    """Typed as asked; case and spacing do not matter, the number does."""
    return " ".join((typed or "").lower().split()) == confirmation_phrase(count)


class LeaversNotConfirmed(HrFileError):
    """The extract needs its count of leavers confirmed; nothing was written."""


@dataclass
class Leaver:
    person_id: int
    staff_number: str
    name: str
    organisation: str
    key_positions: list[str] = field(default_factory=list)
    is_importer: bool = False


@dataclass
class LeaverCheck:
    leavers: list[Leaver] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    @property
    def needs_confirmation(self) -> bool:
        return bool(self.reasons)

    @property
    def importer_leaves(self) -> bool:
        return any(leaver.is_importer for leaver in self.leavers)

    @property
    def key_holders(self) -> list[Leaver]:
        return [leaver for leaver in self.leavers if leaver.key_positions]


def check_leavers(plans, *, actor, effective: date) -> LeaverCheck:
    """Who the import would mark as left (key-position holders first, then the importer), and
    why that needs a confirmation, if it does. `plans` are the organisations' diffed plans."""
    check = LeaverCheck()
    importer = getattr(actor, "person_id", None)
    limit = leaver_share_percent()
    for plan in plans:
        by_id = {p["id"]: (s, p) for s, p in plan.people.items()}
        held = _key_positions(plan.to_deactivate, effective)
        for pid in plan.to_deactivate:
            staff_number, person = by_id[pid]
            check.leavers.append(Leaver(
                person_id=pid, staff_number=staff_number, organisation=plan.org.name,
                name=f"{person['first_name']} {person['last_name']}",
                key_positions=held.get(pid, []), is_importer=pid == importer))
        in_post = sum(1 for p in plan.people.values() if p["active"])
        leaving = len(plan.to_deactivate)
        if leaving and leaving * 100 > limit * in_post:
            check.reasons.append(
                f"{leaving} of the {in_post} people in post at {plan.org.name} "
                f"({leaving * 100 / in_post:.0f} %) would be marked as having left: more than "
                f"the {limit:g} % an import may do without confirmation")
    check.leavers.sort(key=lambda lv: (not lv.key_positions, not lv.is_importer, lv.name, lv.staff_number))
    if check.key_holders:
        holders = len(check.key_holders)
        check.reasons.append(f"{holders} of them {'holds' if holders == 1 else 'hold'} a key position")
    if check.importer_leaves:
        check.reasons.append("you, who are applying it, are not in the file: you would be marked as "
                             "having left, and your own login would end at once")
    return check


def require_confirmation(check: LeaverCheck, *, count: int, confirmed: int | None) -> None:
    if check.needs_confirmation and confirmed != count:
        said = "" if confirmed is None else f" (you confirmed {confirmed})"
        raise LeaversNotConfirmed(
            f"This full extract would mark {count} {'person' if count == 1 else 'people'} as having left{said}: "
            + "; ".join(check.reasons) + ". Nothing was written. Check who is missing from the file; "
            f"to apply it anyway, confirm the count (on the command line --confirm-leavers {count}, "
            f'on the page type "{confirmation_phrase(count)}").')


def _key_positions(person_ids, effective):
    held: dict[int, list[str]] = {}
    ids = list(person_ids)
    for start in range(0, len(ids), 2000):
        appointments = (Appointment.objects.filter(person_id__in=ids[start:start + 2000], position__is_key=True,
                                                   position__active=True, start__lte=effective)
                        .select_related("position").order_by("position__title"))
        for appointment in appointments:
            if appointment.in_force_on(effective):
                held.setdefault(appointment.person_id, []).append(appointment.position.title)
    return held
