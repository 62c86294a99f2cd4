"""Agreements get versions: a change is a proposal the other side accepts or declines
(issue 24). Existing agreements become version 1, accepted; reversible."""

import django.core.validators
import django.db.models.deletion
import tandem.core.fields
from django.conf import settings
from datetime import timedelta

from django.db import migrations, models

TERMS = ("purpose", "reply_within_days", "not_for", "crisis_section", "review_every_weeks")


def agreements_to_versions(apps, schema_editor):
    """Every existing agreement becomes version 1, accepted: it is what the two work by now.
    Who last edited it proposed it; it was accepted when the later side agreed (or, if a side
    never did, when it was last edited)."""
    Agreement = apps.get_model("care", "Agreement")
    AgreementVersion = apps.get_model("care", "AgreementVersion")
    for agreement in Agreement.objects.all().iterator():
        agreed = [t for t in (agreement.user_agreed_at, agreement.provider_agreed_at) if t]
        accepted_at = max([agreement.updated_at, *agreed])
        version = AgreementVersion.objects.create(
            relationship_id=agreement.relationship_id,
            number=1,
            status="accepted",
            proposed_by_id=agreement.updated_by_id,
            proposed_at=agreement.updated_at,
            decided_at=accepted_at,
            review_due_at=accepted_at + timedelta(weeks=agreement.review_every_weeks),
            **{name: getattr(agreement, name) for name in TERMS},
        )
        Agreement.objects.filter(pk=agreement.pk).update(version=version)


def versions_to_agreements(apps, schema_editor):
    """Back to "either side edits, both agree": the terms in force stay (they are already on
    the agreement), agreed by both when their version was accepted; the history goes."""
    Agreement = apps.get_model("care", "Agreement")
    AgreementVersion = apps.get_model("care", "AgreementVersion")
    for agreement in Agreement.objects.select_related("version").iterator():
        version = agreement.version
        if version is not None:
            Agreement.objects.filter(pk=agreement.pk).update(
                user_agreed_at=version.decided_at,
                provider_agreed_at=version.decided_at,
                updated_by_id=version.proposed_by_id,
            )
    Agreement.objects.update(version=None)
    AgreementVersion.objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ('care', '0004_questionnaires_module'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='agreement',
            name='crisis_section',
            field=tandem.core.fields.EncryptedTextField(default='If you cannot reach me, do not wait for a reply here: follow your crisis plan, or call the crisis line.', validators=[django.core.validators.MaxLengthValidator(2000)], verbose_name='What to do in a crisis, or if you cannot reach me'),
        ),
        migrations.CreateModel(
            name='AgreementVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('purpose', tandem.core.fields.EncryptedTextField(blank=True, validators=[django.core.validators.MaxLengthValidator(2000)], verbose_name='What we use Tandem for')),
                ('reply_within_days', models.PositiveSmallIntegerField(default=2, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(20)], verbose_name='Replies can be expected within (working days)')),
                ('not_for', models.TextField(default='Emergencies. In a crisis, use your crisis plan or call the crisis line.', validators=[django.core.validators.MaxLengthValidator(1000)], verbose_name='What Tandem is not for')),
                ('crisis_section', tandem.core.fields.EncryptedTextField(default='If you cannot reach me, do not wait for a reply here: follow your crisis plan, or call the crisis line.', validators=[django.core.validators.MaxLengthValidator(2000)], verbose_name='What to do in a crisis, or if you cannot reach me')),
                ('review_every_weeks', models.PositiveSmallIntegerField(default=12, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(52)], verbose_name='We review this agreement every (weeks)')),
                ('number', models.PositiveIntegerField()),
                ('status', models.CharField(choices=[('proposed', 'Proposed'), ('accepted', 'Accepted'), ('declined', 'Declined'), ('withdrawn', 'Withdrawn')], default='proposed', max_length=10)),
                ('proposed_at', models.DateTimeField()),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('review_due_at', models.DateTimeField(blank=True, null=True)),
                ('review_reminded_at', models.DateTimeField(blank=True, null=True)),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('proposed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('relationship', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='agreement_versions', to='care.carerelationship')),
            ],
            options={
                'ordering': ['number'],
            },
        ),
        migrations.AddField(
            model_name='agreement',
            name='version',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='in_force_for', to='care.agreementversion'),
        ),
        migrations.AddIndex(
            model_name='agreementversion',
            index=models.Index(fields=['status', 'review_due_at'], name='care_agreem_status_80b546_idx'),
        ),
        migrations.AddConstraint(
            model_name='agreementversion',
            constraint=models.UniqueConstraint(fields=('relationship', 'number'), name='care_agreement_version_number'),
        ),
        migrations.AddConstraint(
            model_name='agreementversion',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'proposed')), fields=('relationship',), name='care_one_open_agreement_proposal'),
        ),
        migrations.AddConstraint(
            model_name='agreementversion',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('decided_at__isnull', True), ('status', 'proposed')), models.Q(models.Q(('status', 'proposed'), _negated=True), ('decided_at__isnull', False)), _connector='OR'), name='care_agreement_version_decided_when_not_open'),
        ),
        migrations.RunPython(agreements_to_versions, versions_to_agreements),
        migrations.RemoveField(
            model_name='agreement',
            name='provider_agreed_at',
        ),
        migrations.RemoveField(
            model_name='agreement',
            name='updated_by',
        ),
        migrations.RemoveField(
            model_name='agreement',
            name='user_agreed_at',
        ),
    ]
