"""The age rule (``accounts.age``): what an organisation trusts about a typed date of birth."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tandem.accounts import age
from tandem.accounts.models import AgeCheck, Organisation, Role, User
from tandem.accounts.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def _born_years_ago(years: int) -> date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - timedelta(days=1)


def _check(user: User, organisation: Organisation, born: date | None) -> None:
    age.check_age_allows(
        user=user, organisation=organisation, min_age=16, max_age=25, date_of_birth=born
    )


def _codes(error: pytest.ExceptionInfo[ValidationError]) -> set[str | None]:
    if hasattr(error.value, "error_dict"):
        return {e.code for errors in error.value.error_dict.values() for e in errors}
    return {e.code for e in error.value.error_list}


@pytest.fixture
def strict(organisation: Organisation) -> Organisation:
    organisation.age_check = AgeCheck.PROVIDER
    organisation.save()
    return organisation


def test_age_on_counts_whole_years() -> None:
    assert age.age_on(date(2010, 6, 15), date(2026, 6, 14)) == 15
    assert age.age_on(date(2010, 6, 15), date(2026, 6, 15)) == 16


def test_a_space_without_age_limits_asks_nothing(service_user: User, strict: Organisation) -> None:
    age.check_age_allows(
        user=service_user, organisation=strict, min_age=None, max_age=None, date_of_birth=None
    )


def test_self_declared_dates_are_enough_by_default(
    service_user: User, organisation: Organisation
) -> None:
    assert organisation.age_check == AgeCheck.SELF_DECLARED
    _check(service_user, organisation, _born_years_ago(20))
    with pytest.raises(ValidationError) as missing:
        _check(service_user, organisation, None)
    assert _codes(missing) == {"dob_missing"}
    with pytest.raises(ValidationError) as too_old:
        _check(service_user, organisation, _born_years_ago(40))
    assert _codes(too_old) == {"age"}


def test_when_the_organisation_asks_for_confirmation_a_typed_date_is_not_enough(
    service_user: User, strict: Organisation
) -> None:
    with pytest.raises(ValidationError, match="confirms your age") as unconfirmed:
        _check(service_user, strict, _born_years_ago(20))
    assert _codes(unconfirmed) == {"age_unconfirmed"}
    # Outside the range, the person hears that first: confirming would not help.
    with pytest.raises(ValidationError) as too_old:
        _check(service_user, strict, _born_years_ago(40))
    assert _codes(too_old) == {"age"}


@pytest.mark.parametrize(
    ("setting", "confirmed_as", "counts"),
    [
        (AgeCheck.PROVIDER, Role.PROVIDER, True),
        (AgeCheck.PROVIDER, Role.ORG_ADMIN, True),
        (AgeCheck.ADMIN, Role.PROVIDER, False),
        (AgeCheck.ADMIN, Role.ORG_ADMIN, True),
    ],
)
def test_whose_confirmation_counts_follows_the_setting(
    service_user: User,
    organisation: Organisation,
    make_member: Callable[..., User],
    setting: str,
    confirmed_as: str,
    counts: bool,
) -> None:
    organisation.age_check = setting
    service_user.age_confirmed_at = timezone.now()
    service_user.age_confirmed_by = make_member(confirmed_as)
    service_user.age_confirmed_as = confirmed_as
    assert age.age_is_confirmed(service_user, organisation) is counts


def test_a_provider_confirms_and_the_checked_date_replaces_the_typed_one(
    service_user: User, provider: User, strict: Organisation
) -> None:
    service_user.date_of_birth = _born_years_ago(30)
    service_user.save()
    checked = _born_years_ago(17)
    age.confirm_age(
        actor=provider,
        person=service_user,
        organisation=strict,
        as_role=Role.PROVIDER,
        date_of_birth=checked,
    )
    service_user.refresh_from_db()
    assert service_user.date_of_birth == checked
    assert service_user.age_confirmed_by == provider
    assert service_user.age_confirmed_as == Role.PROVIDER
    assert service_user.age_confirmed_at is not None
    _check(service_user, strict, service_user.date_of_birth)


def test_a_provider_cannot_confirm_where_only_admins_may(
    service_user: User, provider: User, organisation: Organisation
) -> None:
    organisation.age_check = AgeCheck.ADMIN
    organisation.save()
    with pytest.raises(PermissionDenied):
        age.confirm_age(
            actor=provider,
            person=service_user,
            organisation=organisation,
            as_role=Role.PROVIDER,
            date_of_birth=_born_years_ago(17),
        )
    service_user.refresh_from_db()
    assert service_user.age_confirmed_at is None


def test_only_an_admin_of_the_organisation_confirms_as_admin(
    service_user: User, org_admin: User, organisation: Organisation
) -> None:
    elsewhere = OrganisationFactory.create()
    with pytest.raises(PermissionDenied):
        age.confirm_age(
            actor=org_admin,
            person=service_user,
            organisation=elsewhere,
            as_role=Role.ORG_ADMIN,
            date_of_birth=_born_years_ago(17),
        )
    age.confirm_age(
        actor=org_admin,
        person=service_user,
        organisation=organisation,
        as_role=Role.ORG_ADMIN,
        date_of_birth=_born_years_ago(17),
    )
    service_user.refresh_from_db()
    assert service_user.age_confirmed_as == Role.ORG_ADMIN


def test_a_date_of_birth_in_the_future_is_refused(
    service_user: User, org_admin: User, organisation: Organisation
) -> None:
    with pytest.raises(ValidationError, match="future"):
        age.confirm_age(
            actor=org_admin,
            person=service_user,
            organisation=organisation,
            as_role=Role.ORG_ADMIN,
            date_of_birth=timezone.localdate() + timedelta(days=1),
        )


def test_only_an_admin_changes_the_setting(
    service_user: User, org_admin: User, organisation: Organisation
) -> None:
    with pytest.raises(PermissionDenied):
        age.set_age_check(actor=service_user, organisation=organisation, age_check=AgeCheck.ADMIN)
    age.set_age_check(actor=org_admin, organisation=organisation, age_check=AgeCheck.ADMIN)
    organisation.refresh_from_db()
    assert organisation.age_check == AgeCheck.ADMIN
