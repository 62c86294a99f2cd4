from __future__ import annotations

import factory

from tandem.accounts.tests.factories import OrganisationFactory
from tandem.forum.models import Audience, Category, Community

CONDUCT = "Be kind. Use your display name only."


class CommunityFactory(factory.django.DjangoModelFactory[Community]):
    class Meta:
        model = Community

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Community {n}")
    slug = factory.Sequence(lambda n: f"community-{n}")
    audience = Audience.MIXED
    code_of_conduct = CONDUCT


class CategoryFactory(factory.django.DjangoModelFactory[Category]):
    class Meta:
        model = Category

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"Category {n}")
