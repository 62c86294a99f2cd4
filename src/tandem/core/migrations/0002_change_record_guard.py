"""Make the change record append-only in the database: triggers on SQLite and PostgreSQL, and on
PostgreSQL revoked UPDATE, DELETE and TRUNCATE (see core/change_record.py).

Keep this the last operation on the table: SQLite rebuilds a table to alter it, which drops its
triggers, so a later migration that alters it must run the guard again.
"""

from django.db import migrations


def install(apps, schema_editor):
    from tandem.core.change_record import install_change_record_guard

    install_change_record_guard(schema_editor.connection)


def remove(apps, schema_editor):
    from tandem.core.change_record import remove_change_record_guard

    remove_change_record_guard(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_change_record")]

    operations = [migrations.RunPython(install, remove)]
