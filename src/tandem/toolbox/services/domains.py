"""Life domains: a person's own, an organisation's, and hiding the defaults."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.access import check_can_manage_organisation
from tandem.accounts.models import Organisation, User
from tandem.toolbox.models import LifeDomain
from tandem.toolbox.selectors import visible_domains_query
from tandem.toolbox.services.common import check_owner, save_cleaned

MAX_PERSONAL_DOMAINS = 20


def add_personal_domain(*, owner: User, name: str) -> LifeDomain:
    """Add a life domain of the owner's own, shown after the shared ones."""
    name = name.strip()
    with transaction.atomic():
        if (
            LifeDomain.objects.filter(owner=owner, archived_at__isnull=True).count()
            >= MAX_PERSONAL_DOMAINS
        ):
            raise ValidationError(
                {
                    "name": _("You can have up to %(max)s life domains of your own.")
                    % {"max": MAX_PERSONAL_DOMAINS}
                },
                code="too_many",
            )
        if any(d.label.casefold() == name.casefold() for d in visible_domains_query(owner)):
            raise ValidationError(
                {"name": _("You already have a life domain with this name.")}, code="duplicate"
            )
        domain = LifeDomain(owner=owner, name=name, position=1000)
        save_cleaned(domain)
    return domain


def remove_personal_domain(*, owner: User, domain: LifeDomain) -> None:
    """Take a personal domain off the owner's lists. Its ratings, goals and activities stay
    (they still show in the history lists), so nothing the person wrote is lost."""
    check_owner(owner, domain)
    domain.archived_at = timezone.now()
    domain.save(update_fields=["archived_at"])


def add_organisation_domain(*, actor: User, organisation: Organisation, name: str) -> LifeDomain:
    check_can_manage_organisation(actor, organisation)
    domain = LifeDomain(organisation=organisation, name=name.strip(), position=500)
    with transaction.atomic():
        save_cleaned(domain)
    return domain


def remove_organisation_domain(
    *, actor: User, organisation: Organisation, domain: LifeDomain
) -> None:
    check_can_manage_organisation(actor, organisation)
    if domain.organisation_id != organisation.pk:
        raise PermissionDenied
    domain.archived_at = timezone.now()
    domain.save(update_fields=["archived_at"])


def set_default_domain_hidden(
    *, actor: User, organisation: Organisation, domain: LifeDomain, hidden: bool
) -> None:
    """Hide a default life domain from the organisation's members, or show it again."""
    check_can_manage_organisation(actor, organisation)
    if domain.owner_id is not None or domain.organisation_id is not None:
        raise ValidationError(_("Only Tandem's default life domains can be hidden."))
    if hidden:
        domain.hidden_by_organisations.add(organisation)
    else:
        domain.hidden_by_organisations.remove(organisation)
