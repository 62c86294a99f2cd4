from django.apps import AppConfig


class EncryptedAppConfig(AppConfig):
    name = "tandem.core.tests.encrypted_app"
    label = "encrypted_app"
    default_auto_field = "django.db.models.BigAutoField"
