from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ToolboxConfig(AppConfig):
    name = "tandem.toolbox"
    label = "toolbox"
    verbose_name = _("Recovery toolbox")

    def ready(self) -> None:
        # Care shows what changed in the modules it shares without importing the toolbox:
        # the toolbox, the higher app, tells care where to ask (care.modules).
        from tandem.care.modules import ModuleSource, register_module_source
        from tandem.toolbox.selectors import latest_changes

        register_module_source(ModuleSource(name="toolbox", latest_changes=latest_changes))

        # The access log names the goal or journal entry a provider read, by asking here.
        from tandem.care.access_log import register_item_kind
        from tandem.toolbox.selectors.access_log import ITEM_KINDS

        for kind in ITEM_KINDS:
            register_item_kind(kind)
