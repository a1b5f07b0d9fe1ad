"""Live coverage (En direct): an article may be a live story, with timestamped entries.
Editors manage every entry; authors those of the stories they may change (LiveEntryAdmin)."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

from articles.roles import AUTHORS_GROUP, EDITORS_GROUP, grant

ENTRY_PERMISSIONS = ["add_liveentry", "change_liveentry", "delete_liveentry", "view_liveentry"]


def grant_roles(apps, schema_editor):
    for group in (AUTHORS_GROUP, EDITORS_GROUP):
        grant(apps, group, "articles", codenames=ENTRY_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0017_sqlite_search_index_ligatures"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="live_ended_at",
            field=models.DateTimeField(
                blank=True,
                help_text="Filled in when the coverage is ended if left empty.",
                null=True,
                verbose_name="live coverage ended at",
            ),
        ),
        migrations.AddField(
            model_name="article",
            name="live_started_at",
            field=models.DateTimeField(
                blank=True,
                help_text="Filled in when the coverage starts if left empty.",
                null=True,
                verbose_name="live coverage started at",
            ),
        ),
        migrations.AddField(
            model_name="article",
            name="live_status",
            field=models.CharField(
                blank=True,
                choices=[("", "Not a live story"), ("live", "Live"), ("ended", "Ended")],
                default="",
                help_text="“Live” shows the entries under the text, newest first, and readers see new ones without reloading. “Ended” keeps them and tells readers the coverage is over.",
                max_length=5,
                verbose_name="live coverage",
            ),
        ),
        migrations.CreateModel(
            name="LiveEntry",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "published_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now,
                        help_text="The time shown to readers.",
                        verbose_name="time",
                    ),
                ),
                ("title", models.CharField(blank=True, max_length=200, verbose_name="title")),
                ("body", models.TextField(verbose_name="text")),
                (
                    "pinned",
                    models.BooleanField(
                        default=False,
                        help_text="Key points are shown first, at the top.",
                        verbose_name="key point",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="live_entries",
                        to="articles.article",
                        verbose_name="article",
                    ),
                ),
                (
                    "author",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="live_entries",
                        to="articles.author",
                        verbose_name="author",
                    ),
                ),
            ],
            options={
                "verbose_name": "live entry",
                "verbose_name_plural": "live entries",
                "ordering": ["-published_at", "-id"],
                "get_latest_by": "published_at",
                "indexes": [
                    models.Index(
                        fields=["article", "-published_at"], name="liveentry_article_time_idx"
                    )
                ],
            },
        ),
        migrations.RunPython(grant_roles, migrations.RunPython.noop),
    ]
