from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuestionnairesConfig(AppConfig):
    name = "tandem.questionnaires"
    label = "questionnaires"
    verbose_name = _("Questionnaires")

    def ready(self) -> None:
        from tandem.core.personal_data import register_personal_data
        from tandem.questionnaires.personal_data import SOURCE

        # The person's answers go into their data export (docs/data-rights.md).
        register_personal_data(SOURCE)

        # The access log names the response a provider opened ("your answers to PHQ-9 of …").
        from tandem.care.access_log import register_item_kind
        from tandem.questionnaires.access_log import RESPONSE_KIND

        register_item_kind(RESPONSE_KIND)

        # The caseload row shows the latest score per questionnaire and its change.
        from tandem.care.models import Module
        from tandem.care.modules import ModuleSummary, register_module_summary
        from tandem.questionnaires.caseload import caseload_lines

        register_module_summary(
            ModuleSummary(module=Module.QUESTIONNAIRES, summarise=caseload_lines)
        )
