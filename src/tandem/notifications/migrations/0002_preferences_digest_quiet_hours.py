from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="notificationpreference",
            name="last_digest_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="notificationpreference",
            name="quiet_hours_end",
            field=models.TimeField(blank=True, null=True, verbose_name="Quiet hours end"),
        ),
        migrations.AddField(
            model_name="notificationpreference",
            name="quiet_hours_start",
            field=models.TimeField(blank=True, null=True, verbose_name="Quiet hours start"),
        ),
        migrations.AddField(
            model_name="notificationpreference",
            name="time_zone",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AlterField(
            model_name="notificationpreference",
            name="email",
            field=models.CharField(
                choices=[
                    ("immediately", "Immediately"),
                    ("daily", "Once a day (a daily digest)"),
                    ("off", "Off"),
                ],
                default="immediately",
                max_length=20,
                verbose_name="Email me when there is something new",
            ),
        ),
    ]
