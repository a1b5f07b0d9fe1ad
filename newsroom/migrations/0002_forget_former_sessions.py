from django.db import migrations


def forget_former_sessions(apps, schema_editor):
    """Empty django.contrib.sessions' table, which nothing reads any more (newsroom.Session is
    the store): a rollback to a release that read it must not revive a session its holder
    signed out of since, and clearsessions no longer clears it."""
    apps.get_model("sessions", "Session").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0001_initial"),
        ("sessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(forget_former_sessions, migrations.RunPython.noop)]
