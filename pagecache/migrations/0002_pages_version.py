from django.db import migrations
from django.utils import timezone


def create_pages_version(apps, schema_editor):
    ContentVersion = apps.get_model("pagecache", "ContentVersion")
    ContentVersion.objects.using(schema_editor.connection.alias).get_or_create(
        scope="pages", defaults={"number": 1, "changed_at": timezone.now()}
    )


class Migration(migrations.Migration):
    dependencies = [("pagecache", "0001_initial")]

    operations = [migrations.RunPython(create_pages_version, migrations.RunPython.noop)]
