from django.apps import AppConfig
from django.urls import register_converter


class CoreConfig(AppConfig):
    name = "tandem.core"
    label = "core"

    def ready(self) -> None:
        from tandem.core.converters import IdConverter

        # Registered before any URLconf is imported: every app's urls.py uses <id:…>.
        register_converter(IdConverter, "id")
