"""Seed Tandem's default life domains. Their names come from code (translated), by key."""

from django.db import migrations

DEFAULT_KEYS = [
    "home",
    "work_study",
    "money",
    "relationships",
    "physical_health",
    "mental_health",
    "leisure",
    "daily_living",
]


def add_defaults(apps, schema_editor):
    LifeDomain = apps.get_model("toolbox", "LifeDomain")
    for position, key in enumerate(DEFAULT_KEYS, start=1):
        LifeDomain.objects.get_or_create(
            key=key,
            organisation=None,
            owner=None,
            defaults={"position": position * 10},
        )


def remove_defaults(apps, schema_editor):
    LifeDomain = apps.get_model("toolbox", "LifeDomain")
    LifeDomain.objects.filter(key__in=DEFAULT_KEYS, organisation=None, owner=None).delete()


class Migration(migrations.Migration):
    dependencies = [("toolbox", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, remove_defaults)]
