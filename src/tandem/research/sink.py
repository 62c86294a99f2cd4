"""The one writer of the event log, registered with ``core.usage`` in ``ResearchConfig.ready``.

Each event costs one SQL statement, whoever the person is: an ``INSERT … SELECT`` that copies
the pseudonym and role from the person's given consents to the studies of their organisation
that are open today. Someone who never consented gets no row and no second query; someone who
withdrew a moment ago gets no row either, since the check and the write are one statement
(docs/research.md; the cost is measured in docs/performance.md).
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection
from django.utils import timezone

from tandem.accounts.models import Membership
from tandem.care.agreement_models import Agreement
from tandem.care.models import RelationshipStatus
from tandem.care.triage import add_working_days
from tandem.core.usage import Action, Module, UsageEvent
from tandem.research.models import Consent, ConsentStatus, ResearchEvent, Study

# The app namespaces whose pages count as a visit to one module.
NAMESPACE_MODULES = {
    "messaging": Module.MESSAGING,
    "forum": Module.FORUM,
    "questionnaires": Module.QUESTIONNAIRES,
    "courses": Module.COURSES,
    "care": Module.CARE_TEAM,
}

# The toolbox's pages by the start of their URL name (a provider's "shared-…" pages count for
# the same module): the ReConnect table lists the toolbox's parts one by one.
TOOLBOX_PAGE_MODULES = (
    ("goal", Module.GOALS),
    ("step", Module.GOALS),
    ("activit", Module.ACTIVITIES),
    ("medication", Module.MEDICATIONS),
    ("network", Module.NETWORK),
    ("crisis", Module.CRISIS_PLAN),
    ("exercise", Module.EXERCISES),
    ("practice", Module.EXERCISES),
    ("journal", Module.JOURNAL),
    ("home", Module.STATUS),
    ("domain", Module.STATUS),
    ("status", Module.STATUS),
    ("rating", Module.STATUS),
)


def module_of_page(namespace: str, page: str) -> str | None:
    """The module a visited page belongs to, or None for a page research does not count."""
    if namespace == "toolbox":
        name = page.removeprefix("shared-")
        for prefix, module in TOOLBOX_PAGE_MODULES:
            if name.startswith(prefix):
                return module
        return None
    return NAMESPACE_MODULES.get(namespace)


def _insert_sql() -> str:
    """Written as SQL because the ORM has no ``INSERT … SELECT``; table names come from the
    models and every value is a bound parameter, the same on SQLite and PostgreSQL."""
    event, consent, study, membership = (
        ResearchEvent._meta.db_table,
        Consent._meta.db_table,
        Study._meta.db_table,
        Membership._meta.db_table,
    )
    return (
        f"INSERT INTO {event} (study_id, pseudonym, role, module, action, hour, wait_hours, late) "  # noqa: S608 - table names from _meta, values bound
        "SELECT c.study_id, c.pseudonym, c.role, %s, %s, %s, %s, %s "
        f"FROM {consent} c JOIN {study} s ON s.id = c.study_id "
        "WHERE c.user_id = %s AND c.status = %s AND s.start_date <= %s AND s.end_date >= %s "
        f"AND EXISTS (SELECT 1 FROM {membership} m "
        "WHERE m.user_id = c.user_id AND m.organisation_id = s.organisation_id AND m.role = c.role)"
    )


def _reply_facts(event: UsageEvent, now: datetime) -> tuple[int | None, bool | None]:
    """Hours the service user waited for this reply, and whether that was longer than their
    agreement with the replying provider allows (None without an agreement)."""
    if event.waited_since is None:
        return None, None
    hours = max(0, round((now - event.waited_since).total_seconds() / 3600))
    late: bool | None = None
    if event.about_user_id is not None:
        agreement = Agreement.objects.filter(
            relationship__service_user_id=event.about_user_id,
            relationship__provider_id=event.user_id,
            relationship__status=RelationshipStatus.ACTIVE,
        ).first()
        if agreement is not None:
            late = now > add_working_days(event.waited_since, agreement.reply_within_days)
    return hours, late


def write_event(event: UsageEvent) -> None:
    """Store ``event`` for each open study the person consented to; nothing otherwise."""
    module = event.module
    if event.action == Action.VISIT:
        found = module_of_page(event.module, event.page)
        if found is None:
            return
        module = found
    now = timezone.now()
    # Counted to the hour: the exact minute could tell a message from the next one.
    hour = now.replace(minute=0, second=0, microsecond=0)
    wait_hours, late = (
        _reply_facts(event, now) if event.action == Action.MESSAGE_SENT else (None, None)
    )
    today = timezone.localdate(now)
    ops = connection.ops
    with connection.cursor() as cursor:
        cursor.execute(
            _insert_sql(),
            [
                module,
                event.action,
                ops.adapt_datetimefield_value(hour),
                wait_hours,
                late,
                event.user_id,
                ConsentStatus.CONSENTED.value,
                ops.adapt_datefield_value(today),
                ops.adapt_datefield_value(today),
            ],
        )
