"""The account itself: details, roles, email addresses; sign-in records kept under the email."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.base_user import AbstractBaseUser

from tandem.accounts.models import Membership, User
from tandem.core.personal_data import Erasure, ExportData, PersonalDataSource
from tandem.datarights.sources.rows import row, rows


def export(user: AbstractBaseUser) -> ExportData:
    person = User.objects.get(pk=user.pk)
    return {
        "account": row(person),
        "memberships": rows(Membership.objects.filter(user=person).order_by("pk")),
        "email_addresses": rows(EmailAddress.objects.filter(user=person).order_by("pk")),
        # Which kinds of two-step verification are set up; never their secrets.
        "two_step_methods": [
            {"type": kind, "created_at": created.isoformat()}
            for kind, created in Authenticator.objects.filter(user=person).values_list(
                "type", "created_at"
            )
        ],
    }


def erase(erasure: Erasure) -> None:
    # Sign-in records are kept under the address typed, not under the account.
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username__iexact=erasure.email).delete()
    for session in UserSession.objects.filter(user_id=erasure.user.pk):
        session.end()


SOURCE = PersonalDataSource(
    name="account",
    description=(
        "Your account: email address, display name, details you gave, your roles in each "
        "organisation, your email addresses and which two-step methods you set up."
    ),
    export=export,
    erase=erase,
    order=90,
)
