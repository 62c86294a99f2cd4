"""The one age rule: when a person's age lets them into a space for an age group.

A date of birth is typed by the person, so on its own it proves nothing. Each organisation
chooses how much to trust it (``Organisation.age_check``):

- ``SELF_DECLARED``: the date the person gives is enough (the default, as before).
- ``PROVIDER``: a care provider with an active care relationship, or an organisation admin,
  must confirm the date first.
- ``ADMIN``: only an organisation admin's confirmation counts.

Until their age is confirmed, a person may use everything that is not for an age group:
their toolbox, their care team, messages, and communities without age limits. They may not
join a community with age limits, and are told why and who can confirm it. See
docs/security-reauth-age.md.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.access import check_can_manage_organisation
from tandem.accounts.models import AgeCheck, Organisation, Role, User

# Who may confirm under each setting; an admin always may.
CONFIRMERS: dict[str, frozenset[str]] = {
    AgeCheck.SELF_DECLARED: frozenset({Role.PROVIDER, Role.ORG_ADMIN}),
    AgeCheck.PROVIDER: frozenset({Role.PROVIDER, Role.ORG_ADMIN}),
    AgeCheck.ADMIN: frozenset({Role.ORG_ADMIN}),
}


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def age_is_confirmed(user: User, organisation: Organisation) -> bool:
    """True when ``organisation`` may rely on ``user``'s date of birth."""
    if organisation.age_check == AgeCheck.SELF_DECLARED:
        return True
    if user.age_confirmed_at is None:
        return False
    return user.age_confirmed_as in CONFIRMERS[organisation.age_check]


def check_age_allows(
    *,
    user: User,
    organisation: Organisation,
    min_age: int | None,
    max_age: int | None,
    date_of_birth: date | None,
) -> None:
    """Raise ValidationError unless ``user`` may join a space of ``organisation`` for people
    aged ``min_age`` to ``max_age`` (either may be None; both None means no age limit).

    Codes: ``dob_missing`` (on the ``date_of_birth`` field), ``age`` (outside the range),
    ``age_unconfirmed`` (the organisation needs someone to confirm the date first).
    """
    if min_age is None and max_age is None:
        return
    if date_of_birth is None:
        raise ValidationError(
            {
                "date_of_birth": ValidationError(
                    _(
                        "This community is for an age group, so we need your date of birth "
                        "to let you join. Only you and your organisation can see it."
                    ),
                    code="dob_missing",
                )
            }
        )
    age = age_on(date_of_birth, timezone.localdate())
    if not (min_age or 0) <= age <= (max_age if max_age is not None else 200):
        raise ValidationError(
            _("This community is for people aged %(low)s to %(high)s.")
            % {"low": min_age or 0, "high": max_age if max_age is not None else "+"},
            code="age",
        )
    if not age_is_confirmed(user, organisation):
        who = (
            _("an organisation admin")
            if organisation.age_check == AgeCheck.ADMIN
            else _("your care provider or an organisation admin")
        )
        raise ValidationError(
            _(
                "This community is for an age group, and %(organisation)s asks that "
                "%(who)s confirms your age before you join. Please ask them to. Until then "
                "you can use your toolbox, your care team and communities without age limits."
            )
            % {"organisation": organisation.name, "who": who},
            code="age_unconfirmed",
        )


def check_can_confirm_age(*, organisation: Organisation, as_role: str) -> None:
    """Raise PermissionDenied unless someone acting as ``as_role`` may confirm ages in
    ``organisation`` (an admin always may; a provider unless only admins may)."""
    if as_role not in CONFIRMERS[organisation.age_check]:
        raise PermissionDenied


@transaction.atomic
def confirm_age(
    *, actor: User, person: User, organisation: Organisation, as_role: str, date_of_birth: date
) -> User:
    """Record that ``actor`` checked ``person``'s date of birth, which replaces the typed one.

    The caller has passed the gate for ``as_role`` (an active care relationship for a
    provider, ``get_membership_for_admin`` for an admin); this checks the role against the
    organisation's setting and, for an admin, the admin role itself.
    """
    if as_role == Role.ORG_ADMIN:
        check_can_manage_organisation(actor, organisation)
    check_can_confirm_age(organisation=organisation, as_role=as_role)
    if date_of_birth > timezone.localdate():
        raise ValidationError({"date_of_birth": _("A date of birth cannot be in the future.")})
    person.date_of_birth = date_of_birth
    person.age_confirmed_at = timezone.now()
    person.age_confirmed_by = actor
    person.age_confirmed_as = as_role
    person.save(
        update_fields=["date_of_birth", "age_confirmed_at", "age_confirmed_by", "age_confirmed_as"]
    )
    return person


def set_age_check(*, actor: User, organisation: Organisation, age_check: str) -> Organisation:
    """Change how ``organisation`` establishes ages; only its admins may."""
    check_can_manage_organisation(actor, organisation)
    organisation.age_check = age_check
    organisation.full_clean(exclude=["slug"])
    organisation.save(update_fields=["age_check"])
    return organisation
