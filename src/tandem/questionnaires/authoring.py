"""Making a simple questionnaire in the portal: who may, what a definition must be, and the
changes (create, publish a new version, archive, offer again).

An organisation admin makes instruments for every service user of the organisation; a verified
provider makes them for the people in their care. A definition is checked here, in one place,
whether it came from the form or anywhere else: its bands, if any, must name every possible
total once. A version is never edited: a change publishes the next one, and responses keep the
version they answered.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.models import Membership, Organisation, Role, User
from tandem.questionnaires.models import CustomInstrument, CustomInstrumentVersion, Scope

MAX_ITEMS = 30
MAX_ITEM_LENGTH = 300
MIN_OPTIONS, MAX_OPTIONS = 2, 7
MAX_OPTION_VALUE = 10
MAX_LABEL_LENGTH = 80


@dataclass(frozen=True)
class AuthorRight:
    """What the author may make: instruments of ``scope`` in ``organisation``."""

    organisation: Organisation
    scope: str

    @property
    def value(self) -> str:
        return f"{self.organisation.pk}:{self.scope}"

    @property
    def label(self) -> str:
        if self.scope == Scope.ORGANISATION:
            return _("Everyone who uses services at %(organisation)s") % {
                "organisation": self.organisation.name
            }
        return _("The people in my care at %(organisation)s") % {
            "organisation": self.organisation.name
        }


def authoring_rights(user: User) -> list[AuthorRight]:
    """Organisation admins: their organisations' service users; verified providers: their
    caseload in each organisation they work in. Empty for everyone else (one query)."""
    rights = []
    memberships = Membership.objects.filter(
        user=user, role__in=[Role.ORG_ADMIN, Role.PROVIDER]
    ).select_related("organisation")
    for membership in memberships.order_by("organisation__name", "role"):
        if membership.role == Role.ORG_ADMIN:
            rights.append(AuthorRight(membership.organisation, Scope.ORGANISATION))
        elif membership.is_verified:  # an unverified provider makes nothing for anyone
            rights.append(AuthorRight(membership.organisation, Scope.CASELOAD))
    return rights


def managed_filter(user: User, rights: list[AuthorRight]) -> Q:
    """The instruments ``user`` manages: every organisation-wide one of an organisation they
    administer, and the caseload ones they made themselves."""
    condition = Q(pk__in=[])
    for right in rights:
        if right.scope == Scope.ORGANISATION:
            condition |= Q(organisation=right.organisation, scope=Scope.ORGANISATION)
        else:
            condition |= Q(organisation=right.organisation, scope=Scope.CASELOAD, author=user)
    return condition


def managed_instruments(user: User, rights: list[AuthorRight]) -> list[dict[str, object]]:
    """The instruments ``user`` manages, each with its latest version, offered ones first
    (two queries)."""
    instruments = (
        CustomInstrument.objects.filter(managed_filter(user, rights))
        .select_related("organisation")
        .prefetch_related("versions")
        .order_by(F("archived_at").asc(nulls_first=True), "-created_at")
    )
    return [
        {"instrument": instrument, "latest": max(instrument.versions.all(), key=lambda v: v.number)}
        for instrument in instruments
    ]


def get_managed_or_404(user: User, instrument_id: int) -> CustomInstrument:
    instrument = (
        CustomInstrument.objects.filter(managed_filter(user, authoring_rights(user)))
        .filter(pk=instrument_id)
        .select_related("organisation")
        .first()
    )
    if instrument is None:
        raise Http404
    return instrument


@dataclass(frozen=True)
class Definition:
    title: str
    stem: str
    items: tuple[str, ...]
    options: tuple[tuple[int, str], ...]
    bands: tuple[tuple[int, int, str], ...]
    higher_is_better: bool

    def as_fields(self) -> dict[str, object]:
        return {
            "title": self.title,
            "stem": self.stem,
            "items": list(self.items),
            "options": [list(option) for option in self.options],
            "bands": [list(band) for band in self.bands],
            "higher_is_better": self.higher_is_better,
        }


def definition_of(version: CustomInstrumentVersion) -> Definition:
    return Definition(
        title=version.title,
        stem=version.stem,
        items=tuple(version.items),
        options=tuple((int(v), str(label)) for v, label in version.options),
        bands=tuple((int(low), int(high), str(label)) for low, high, label in version.bands),
        higher_is_better=version.higher_is_better,
    )


def check_definition(definition: Definition) -> None:
    """Refuse a definition that could not be answered or scored, naming the field."""
    errors: dict[str, str] = {}
    if not definition.title.strip():
        errors["title"] = _("Give the questionnaire a name.")
    if not definition.items:
        errors["items"] = _("Write at least one question, one per line.")
    elif len(definition.items) > MAX_ITEMS:
        errors["items"] = _("A questionnaire can have up to %(max)s questions.") % {
            "max": MAX_ITEMS
        }
    elif any(len(item) > MAX_ITEM_LENGTH for item in definition.items):
        errors["items"] = _("Each question can be up to %(max)s characters long.") % {
            "max": MAX_ITEM_LENGTH
        }
    values = [value for value, _label in definition.options]
    if not MIN_OPTIONS <= len(values) <= MAX_OPTIONS:
        errors["options"] = _("Offer between %(min)s and %(max)s answers.") % {
            "min": MIN_OPTIONS,
            "max": MAX_OPTIONS,
        }
    elif len(set(values)) != len(values):
        errors["options"] = _("Each answer needs its own number.")
    elif not all(0 <= value <= MAX_OPTION_VALUE for value in values):
        errors["options"] = _("Answer numbers go from 0 to %(max)s.") % {"max": MAX_OPTION_VALUE}
    if not errors and definition.bands:
        problem = _bands_problem(definition)
        if problem:
            errors["bands"] = problem
    if errors:
        raise ValidationError(errors)


def _bands_problem(definition: Definition) -> str:
    """Why the bands do not name every possible total exactly once ('' when they do)."""
    values = [value for value, _label in definition.options]
    lowest, highest = min(values) * len(definition.items), max(values) * len(definition.items)
    expected = lowest
    for low, high, _label in sorted(definition.bands):
        if low > high:
            return _("In “%(low)s-%(high)s” the first number must be the smaller.") % {
                "low": low,
                "high": high,
            }
        if low != expected:
            return _(
                "The bands must follow on from each other from %(lowest)s to %(highest)s "
                "(the lowest and highest possible totals) with no gaps or overlaps: the band "
                "after %(before)s should start at %(expected)s."
            ) % {"lowest": lowest, "highest": highest, "before": expected - 1, "expected": expected}
        expected = high + 1
    if expected != highest + 1:
        return _("The bands must reach the highest possible total, %(highest)s.") % {
            "highest": highest
        }
    return ""


def _next_version(instrument: CustomInstrument, definition: Definition) -> CustomInstrumentVersion:
    number = (
        CustomInstrumentVersion.objects.filter(instrument=instrument).aggregate(n=Max("number"))[
            "n"
        ]
        or 0
    ) + 1
    return CustomInstrumentVersion.objects.create(
        instrument=instrument, number=number, **definition.as_fields()
    )


@transaction.atomic
def create_instrument(
    *, author: User, right: AuthorRight, definition: Definition
) -> CustomInstrument:
    if right not in authoring_rights(author):
        raise ValidationError({"audience": _("You cannot make questionnaires for these people.")})
    check_definition(definition)
    instrument = CustomInstrument.objects.create(
        organisation=right.organisation, author=author, scope=right.scope
    )
    _next_version(instrument, definition)
    return instrument


@transaction.atomic
def publish_version(
    *, instrument: CustomInstrument, definition: Definition
) -> CustomInstrumentVersion | None:
    """Publish ``definition`` as the next version, or None when it is the latest one already.
    The instrument comes from ``get_managed_or_404``."""
    check_definition(definition)
    locked = CustomInstrument.objects.select_for_update().get(pk=instrument.pk)
    latest = locked.versions.order_by("-number").first()
    if latest is not None and definition_of(latest) == definition:
        return None
    return _next_version(locked, definition)


def set_archived(*, instrument: CustomInstrument, archived: bool) -> None:
    """Stop offering the instrument (answers given stay, scored by their version), or offer it
    again."""
    instrument.archived_at = timezone.now() if archived else None
    instrument.save(update_fields=["archived_at"])
