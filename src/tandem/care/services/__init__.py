"""Every change of state in care relationships, grants, agreements, comments and sessions.

One module per topic: ``relationships`` (link codes, requests, ending), ``sharing`` (grants
and comments), ``agreements``, ``joint_sessions``.
"""

from tandem.care.services.agreements import (
    AgreementConflictError,
    accept_agreement_change,
    decline_agreement_change,
    propose_agreement_change,
    send_review_reminders,
    start_agreement,
    withdraw_agreement_change,
)
from tandem.care.services.joint_sessions import (
    NoteConflictError,
    end_joint_session,
    save_session_note,
    set_shown_modules,
    start_joint_session,
)
from tandem.care.services.relationships import (
    LINK_CODE_ALPHABET,
    LINK_CODE_ATTEMPTS_PER_HOUR,
    accept_request,
    decline_request,
    end_relationship,
    ensure_link_code,
    link_provider_by_code,
    mark_person_seen,
    normalise_link_code,
    regenerate_link_code,
    request_link,
    withdraw_request,
)
from tandem.care.services.sharing import add_comment, set_grants

__all__ = [
    "LINK_CODE_ALPHABET",
    "LINK_CODE_ATTEMPTS_PER_HOUR",
    "AgreementConflictError",
    "NoteConflictError",
    "accept_agreement_change",
    "accept_request",
    "add_comment",
    "decline_agreement_change",
    "decline_request",
    "end_joint_session",
    "end_relationship",
    "ensure_link_code",
    "link_provider_by_code",
    "mark_person_seen",
    "normalise_link_code",
    "propose_agreement_change",
    "regenerate_link_code",
    "request_link",
    "save_session_note",
    "send_review_reminders",
    "set_grants",
    "set_shown_modules",
    "start_agreement",
    "start_joint_session",
    "withdraw_agreement_change",
    "withdraw_request",
]
