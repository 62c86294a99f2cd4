"""What the API sends and takes. Pydantic models, which the OpenAPI schema is made from; one
module per part of the API.

Text people wrote is returned as written (Markdown), and, where the pages render it, also as
``body_html`` from the one renderer (``core.markdown.render_markdown``): a client never needs
a Markdown library of its own to show it safely.
"""

from __future__ import annotations

from tandem.api.schemas.common import ErrorOut, MeOut, Page
from tandem.api.schemas.forum import (
    CategoryOut,
    CommunityOut,
    PostOut,
    ReplyIn,
    ReplyOut,
    TopicCreatedOut,
    TopicDetailOut,
    TopicIn,
    TopicOut,
    TopicSummaryOut,
)
from tandem.api.schemas.messages import (
    MessageIn,
    MessageOut,
    RecipientOut,
    RecipientsOut,
    SentOut,
    StartedOut,
    ThreadDetailOut,
    ThreadIn,
    ThreadOut,
)
from tandem.api.schemas.notifications import NotificationOut, ReadAllOut
from tandem.api.schemas.questionnaires import (
    AnswersIn,
    InstrumentOut,
    ItemOut,
    OptionOut,
    ResponseOut,
    ScoreOut,
    SummaryOut,
)
from tandem.api.schemas.toolbox import (
    ActivityIn,
    ActivityOut,
    CrisisPlanOut,
    CrisisPlanSectionOut,
    DomainOut,
    GoalChangeIn,
    GoalDetailOut,
    GoalIn,
    GoalOut,
    JournalEntryChangeIn,
    JournalEntryIn,
    JournalEntryOut,
    MedicationOut,
    NetworkMemberOut,
    RatingIn,
    RatingOut,
    StepChangeIn,
    StepIn,
    StepOut,
)

__all__ = [
    "ActivityIn",
    "ActivityOut",
    "AnswersIn",
    "CategoryOut",
    "CommunityOut",
    "CrisisPlanOut",
    "CrisisPlanSectionOut",
    "DomainOut",
    "ErrorOut",
    "GoalChangeIn",
    "GoalDetailOut",
    "GoalIn",
    "GoalOut",
    "InstrumentOut",
    "ItemOut",
    "JournalEntryChangeIn",
    "JournalEntryIn",
    "JournalEntryOut",
    "MeOut",
    "MedicationOut",
    "MessageIn",
    "MessageOut",
    "NetworkMemberOut",
    "NotificationOut",
    "OptionOut",
    "Page",
    "PostOut",
    "RatingIn",
    "RatingOut",
    "ReadAllOut",
    "RecipientOut",
    "RecipientsOut",
    "ReplyIn",
    "ReplyOut",
    "ResponseOut",
    "ScoreOut",
    "SentOut",
    "StartedOut",
    "StepChangeIn",
    "StepIn",
    "StepOut",
    "SummaryOut",
    "ThreadDetailOut",
    "ThreadIn",
    "ThreadOut",
    "TopicCreatedOut",
    "TopicDetailOut",
    "TopicIn",
    "TopicOut",
    "TopicSummaryOut",
]
