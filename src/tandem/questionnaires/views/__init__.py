"""The questionnaire views, one module per topic (docs/views.md)."""

from tandem.questionnaires.views.answering import (
    ResponseCreateView,
    questionnaire_list,
    response_detail,
    response_note,
)
from tandem.questionnaires.views.custom import (
    CustomCreateView,
    CustomEditView,
    custom_archive,
    custom_list,
)
from tandem.questionnaires.views.follow_up import follow_up_call, follow_up_plan
from tandem.questionnaires.views.proposals import ScheduleProposeView, proposal_answer
from tandem.questionnaires.views.schedules import ScheduleEditView, schedule_delete
from tandem.questionnaires.views.shared import shared_response_detail
from tandem.questionnaires.views.trends import (
    fhir_export,
    fhir_response_export,
    shared_questionnaires,
    trends,
)

__all__ = [
    "CustomCreateView",
    "CustomEditView",
    "ResponseCreateView",
    "ScheduleEditView",
    "ScheduleProposeView",
    "custom_archive",
    "custom_list",
    "fhir_export",
    "fhir_response_export",
    "follow_up_call",
    "follow_up_plan",
    "proposal_answer",
    "questionnaire_list",
    "response_detail",
    "response_note",
    "schedule_delete",
    "shared_questionnaires",
    "shared_response_detail",
    "trends",
]
