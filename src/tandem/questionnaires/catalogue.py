"""Every instrument by key: the built-in ones (``instruments.INSTRUMENTS``) and the ones made
in the portal (``CustomInstrument``, key ``c-<id>``), and who is offered which.

The rule of who may answer a custom instrument is here and nowhere else (``offered_to``): a
service user of the organisation, for one made by an organisation admin; a person in an active
care relationship with its author, in that organisation, for one a provider made for their
caseload. Archived instruments are offered to nobody; answers already given keep their version
and are still scored by it (``resolve``).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from tandem.accounts.models import Membership, Role, User
from tandem.care.models import CareRelationship, RelationshipStatus
from tandem.questionnaires.instruments import (
    INSTRUMENTS,
    Instrument,
    Option,
    defined_instrument,
    get_instrument,
)
from tandem.questionnaires.models import CustomInstrument, CustomInstrumentVersion, Scope
from tandem.questionnaires.scoring import Band

PREFIX = "c-"


def custom_key(instrument_id: int) -> str:
    return f"{PREFIX}{instrument_id}"


def custom_id(key: str) -> int | None:
    """The custom instrument id in ``key``, or None for anything else (a built-in key too)."""
    digits = key.removeprefix(PREFIX)
    if digits == key or not digits.isdigit() or len(digits) > 12:
        return None
    return int(digits)


def as_instrument(version: CustomInstrumentVersion) -> Instrument:
    """``version`` as an ``Instrument`` (needs ``instrument__organisation`` selected)."""
    return defined_instrument(
        key=custom_key(version.instrument_id),
        version=version.number,
        title=version.title,
        stem=version.stem,
        texts=tuple(str(text) for text in version.items),
        options=tuple(Option(int(value), str(label)) for value, label in version.options),
        bands=tuple(
            Band(f"band_{index}", int(low), int(high), str(label))
            for index, (low, high, label) in enumerate(version.bands)
        ),
        higher_is_better=version.higher_is_better,
        attribution=_(
            "Made by %(organisation)s for this portal. It is not a published, validated measure."
        )
        % {"organisation": version.instrument.organisation.name},
    )


def offered_filter(user: User) -> Q:
    """The instruments ``user`` may answer, as a condition on ``CustomInstrument``."""
    member = Membership.objects.filter(
        user=user, organisation=OuterRef("organisation"), role=Role.SERVICE_USER
    )
    in_care = CareRelationship.objects.filter(
        service_user=user,
        provider=OuterRef("author"),
        organisation=OuterRef("organisation"),
        status=RelationshipStatus.ACTIVE,
    )
    return Q(archived_at__isnull=True) & (
        (Q(scope=Scope.ORGANISATION) & Exists(member)) | (Q(scope=Scope.CASELOAD) & Exists(in_care))
    )


def _latest(versions: Iterable[CustomInstrumentVersion]) -> dict[int, Instrument]:
    """The newest version of each instrument in ``versions`` (ordered by instrument, newest
    first)."""
    latest: dict[int, Instrument] = {}
    for version in versions:
        latest.setdefault(version.instrument_id, as_instrument(version))
    return latest


def offered_to(user: User) -> list[Instrument]:
    """The latest version of every custom instrument ``user`` may answer (one query)."""
    versions = (
        CustomInstrumentVersion.objects.filter(
            instrument__in=CustomInstrument.objects.filter(offered_filter(user))
        )
        .select_related("instrument__organisation")
        .order_by("instrument_id", "-number")
    )
    return sorted(_latest(versions).values(), key=lambda instrument: instrument.title.lower())


def to_answer(user: User, key: str) -> Instrument | None:
    """The instrument ``key`` as ``user`` would answer it now: a built-in one, or the latest
    version of a custom one offered to them; None otherwise."""
    instrument_id = custom_id(key)
    if instrument_id is None:
        return get_instrument(key)
    version = (
        CustomInstrumentVersion.objects.filter(
            instrument__in=CustomInstrument.objects.filter(offered_filter(user), pk=instrument_id)
        )
        .select_related("instrument__organisation")
        .order_by("-number")
        .first()
    )
    return as_instrument(version) if version is not None else None


def resolve(pairs: Iterable[tuple[str, int]]) -> dict[tuple[str, int], Instrument]:
    """The instrument of each ``(key, version)`` a stored response names: built-in ones from
    code, custom ones in one query, whatever their state now (an archived one still scores the
    answers given to it). Unknown pairs are left out."""
    found: dict[tuple[str, int], Instrument] = {}
    wanted: dict[int, set[int]] = {}
    for key, number in set(pairs):
        instrument_id = custom_id(key)
        if instrument_id is None:
            built_in = get_instrument(key, number)
            if built_in is not None:
                found[(key, number)] = built_in
        else:
            wanted.setdefault(instrument_id, set()).add(number)
    if wanted:
        condition = Q()
        for instrument_id, numbers in wanted.items():
            condition |= Q(instrument_id=instrument_id, number__in=numbers)
        for version in CustomInstrumentVersion.objects.filter(condition).select_related(
            "instrument__organisation"
        ):
            found[(custom_key(version.instrument_id), version.number)] = as_instrument(version)
    return found


def built_in() -> list[Instrument]:
    return list(INSTRUMENTS.values())
