"""The full-text index of posts, made for the database in use.

SQLite: an FTS5 table ``forum_post_fts`` (rowid = post id; porter stemming). PostgreSQL: a GIN
index on ``forum_post.search_vector``. Services keep either in step (``forum/search.py``).
"""

from django.db import migrations


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS forum_post_fts "
            "USING fts5(title, body, tokenize = 'porter unicode61')"
        )
    elif vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS forum_post_search_gin ON forum_post USING GIN (search_vector)"
        )


def drop_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS forum_post_fts")
    elif vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS forum_post_search_gin")


class Migration(migrations.Migration):
    dependencies = [("forum", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
