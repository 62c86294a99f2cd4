from __future__ import annotations

from typing import Any

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from tandem.accounts.models import CrisisContact, Membership, Organisation, Role, User

TEST_PASSWORD = "correct horse battery staple"


class OrganisationFactory(factory.django.DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Real Name {n}")
    pseudonym = factory.Sequence(lambda n: f"Wren{n}")

    @factory.post_generation
    def password(obj: User, create: bool, extracted: str | None, **kwargs: Any) -> None:  # noqa: N805 - factory_boy passes the built object
        obj.set_password(extracted or TEST_PASSWORD)
        if create:
            obj.save(update_fields=["password"])
            EmailAddress.objects.get_or_create(
                user=obj, email=obj.email, defaults={"verified": True, "primary": True}
            )


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.SERVICE_USER

    @factory.lazy_attribute
    def verified_at(self) -> Any:
        return timezone.now() if self.role == Role.PROVIDER else None


class CrisisContactFactory(factory.django.DjangoModelFactory[CrisisContact]):
    class Meta:
        model = CrisisContact

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Crisis line {n}")
    phone = "0300 555 0100"
    hours = "24 hours"
