"""The access log names the item read (kind and id, never text), and a visit table lets the
record keep one line per visit (care.access_record).

SQLite rebuilds ``care_accesslogentry`` to add a column with a default, which drops its
append-only triggers: the guard is installed again after the change, and again after undoing
it (the first operation runs last when going back).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def guard(apps, schema_editor):
    from tandem.care.guards import install_access_record_guard

    install_access_record_guard(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('care', '0005_agreement_versions'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, guard),
        migrations.CreateModel(
            name='AccessVisit',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('module', models.CharField(choices=[('status', 'Status'), ('goals', 'Goals and activities'), ('medications', 'Medications'), ('network', 'Network map'), ('crisis_plan', 'Crisis plan'), ('exercises', 'Exercises'), ('journal', 'Shared journal entries'), ('questionnaires', 'Questionnaires'), ('overview', 'Overview of what is shared'), ('relationship', 'Care relationship and agreement'), ('session_notes', 'Joint session notes'), ('messages', 'Messages')], max_length=20)),
                ('action', models.CharField(choices=[('view', 'Viewed'), ('export', 'Exported'), ('joint_session', 'Viewed in a joint session')], max_length=20)),
                ('item_kind', models.CharField(blank=True, max_length=30)),
                ('item_id', models.PositiveBigIntegerField(default=0)),
                ('started_at', models.DateTimeField()),
            ],
        ),
        migrations.AddField(
            model_name='accesslogentry',
            name='item_id',
            field=models.PositiveBigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='accesslogentry',
            name='item_kind',
            field=models.CharField(blank=True, db_default='', default='', max_length=30),
        ),
        migrations.AddIndex(
            model_name='accesslogentry',
            index=models.Index(fields=['owner', 'module', '-created_at'], name='care_access_owner_i_9536e5_idx'),
        ),
        migrations.AddField(
            model_name='accessvisit',
            name='owner',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='accessvisit',
            name='viewer',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddConstraint(
            model_name='accessvisit',
            constraint=models.UniqueConstraint(fields=('viewer', 'owner', 'module', 'action', 'item_kind', 'item_id'), name='care_one_visit_per_item'),
        ),
        migrations.RunPython(guard, migrations.RunPython.noop),
    ]
