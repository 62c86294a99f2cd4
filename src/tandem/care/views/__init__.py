"""Thin views: parse the request, check the gate, call a service or selector, render.

One module per side: ``team`` (the service user's pages), ``relationships`` (both sides of a
relationship: joint sessions), ``agreement`` (propose, answer, history), ``caseload`` (the provider's pages), ``age`` (a
provider confirms a person's age) and ``security`` (the organisation admin's refused reads).
"""

from tandem.care.views.age import person_confirm_age
from tandem.care.views.agreement import (
    AgreementProposeView,
    agreement_decide,
    agreement_history,
)
from tandem.care.views.caseload import (
    REQUEST_SENT_MESSAGE,
    CaseloadView,
    care_request_withdraw,
    link_code_regenerate,
    person_detail,
)
from tandem.care.views.relationships import (
    SHOW_MODULES_PROOF_MESSAGE,
    JointSessionDetailView,
    joint_session_end,
    joint_session_modules,
    joint_session_start,
    relationship_detail,
    relationship_end,
)
from tandem.care.views.security import SECURITY_EVENTS_PAGE_SIZE, security_events
from tandem.care.views.team import (
    ACCESS_LOG_PAGE_SIZE,
    ADD_PROVIDER_PROOF_MESSAGE,
    MORE_ACCESS_PROOF_MESSAGE,
    TAKEN_AWAY_FIRST_MESSAGE,
    CareTeamView,
    SharingView,
    access_log,
    request_accept,
    request_decline,
)

__all__ = [
    "ACCESS_LOG_PAGE_SIZE",
    "ADD_PROVIDER_PROOF_MESSAGE",
    "MORE_ACCESS_PROOF_MESSAGE",
    "REQUEST_SENT_MESSAGE",
    "SECURITY_EVENTS_PAGE_SIZE",
    "SHOW_MODULES_PROOF_MESSAGE",
    "TAKEN_AWAY_FIRST_MESSAGE",
    "AgreementProposeView",
    "CareTeamView",
    "CaseloadView",
    "JointSessionDetailView",
    "SharingView",
    "access_log",
    "agreement_decide",
    "agreement_history",
    "care_request_withdraw",
    "joint_session_end",
    "joint_session_modules",
    "joint_session_start",
    "link_code_regenerate",
    "person_confirm_age",
    "person_detail",
    "relationship_detail",
    "relationship_end",
    "request_accept",
    "request_decline",
    "security_events",
]
