"""Triggers that make the audit log append-only at the database level (see guards.py)."""

from django.db import migrations


def install(apps, schema_editor):
    from tandem.moderation.guards import install_audit_guard

    install_audit_guard(schema_editor.connection)


def remove(apps, schema_editor):
    from tandem.moderation.guards import remove_audit_guard

    remove_audit_guard(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("moderation", "0001_initial")]

    operations = [migrations.RunPython(install, remove)]
