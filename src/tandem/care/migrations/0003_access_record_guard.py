"""Make the access record append-only in the database: triggers on SQLite and PostgreSQL, and
on PostgreSQL revoked UPDATE, DELETE and TRUNCATE (see care/guards.py).

Keep this the last operation on these tables: SQLite rebuilds a table to alter it, which drops
its triggers, so a later migration that alters them must run the guard again.
"""

from django.db import migrations


def install(apps, schema_editor):
    from tandem.care.guards import install_access_record_guard

    install_access_record_guard(schema_editor.connection)


def remove(apps, schema_editor):
    from tandem.care.guards import remove_access_record_guard

    remove_access_record_guard(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("care", "0002_access_record")]

    operations = [migrations.RunPython(install, remove)]
