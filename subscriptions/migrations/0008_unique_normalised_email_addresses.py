import subscriptions.addresses
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("subscriptions", "0007_normalise_email_addresses"),
    ]

    operations = [
        migrations.AlterField(
            model_name="subscriber",
            name="email",
            field=subscriptions.addresses.NormalisedEmailField(
                max_length=254, verbose_name="e-mail address"
            ),
        ),
        migrations.AlterField(
            model_name="waitinglistentry",
            name="email",
            field=subscriptions.addresses.NormalisedEmailField(
                max_length=254, verbose_name="e-mail address"
            ),
        ),
        migrations.AddConstraint(
            model_name="subscriber",
            constraint=models.UniqueConstraint(fields=("email",), name="unique_subscriber_email"),
        ),
        migrations.AddConstraint(
            model_name="waitinglistentry",
            constraint=models.UniqueConstraint(
                fields=("email",), name="unique_waiting_list_email"
            ),
        ),
    ]
