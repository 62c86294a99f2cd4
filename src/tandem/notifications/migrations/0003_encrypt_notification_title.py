"""Encrypt notification titles at rest: they name people ("Pat replied to …").

The column first becomes plain text (a Fernet token is longer than the old 200-character
limit), then every stored title is encrypted in place, then the field becomes an
``EncryptedTextField``, whose column type is the same text. Going back decrypts them.
"""

import django.core.validators
from django.db import migrations, models

import tandem.core.fields
from tandem.core.fields import decrypt_text, encrypt_text

BATCH = 500


def _rewrite(apps, change):
    Notification = apps.get_model("notifications", "Notification")
    batch = []
    # At this point the field is a plain TextField, so reads and writes see the raw column.
    for notification in Notification.objects.exclude(title="").only("pk", "title").iterator(
        chunk_size=BATCH
    ):
        notification.title = change(notification.title)
        batch.append(notification)
        if len(batch) == BATCH:
            Notification.objects.bulk_update(batch, ["title"])
            batch = []
    if batch:
        Notification.objects.bulk_update(batch, ["title"])


def encrypt_titles(apps, schema_editor):
    _rewrite(apps, encrypt_text)


def decrypt_titles(apps, schema_editor):
    _rewrite(apps, decrypt_text)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_preferences_digest_quiet_hours"),
    ]

    operations = [
        migrations.AlterField(
            model_name="notification",
            name="title",
            field=models.TextField(blank=True),
        ),
        migrations.RunPython(encrypt_titles, decrypt_titles),
        migrations.AlterField(
            model_name="notification",
            name="title",
            field=tandem.core.fields.EncryptedTextField(
                blank=True,
                max_length=200,
                validators=[django.core.validators.MaxLengthValidator(200)],
            ),
        ),
    ]
