from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tandem.core"
    label = "core"

    def ready(self) -> None:
        # Registers the <id:…> URL converter every app's urls.py uses (once per process).
        import tandem.core.converters  # noqa: F401
