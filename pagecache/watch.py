"""Every write to a table readers see starts a new content version once it commits.

A database execute wrapper on every connection reads the statement Django sends: an INSERT,
UPDATE or DELETE on a registered table (pagecache/registry.py) asks for a new version. It sees
what signals miss (``QuerySet.update()``, ``bulk_create()``, ``bulk_update()``, raw SQL
through the connection), and costs a string comparison per query.
"""

import re

from django.db import connections
from django.db.models import F

from pagecache import purge, registry, versions
from pagecache.models import ContentVersion

WRITE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"([^"]+)"', re.IGNORECASE)


class Watcher:
    def __init__(self):
        # Off while migrations run: tables may not exist yet, or not in their final shape.
        self.paused = False

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        match = not self.paused and WRITE.match(sql)
        if match and (scopes := registry.scopes_of(match[1])):
            versions.start_new_version(scopes, using=context["connection"].alias)
            purge.written(match[1], context["connection"].alias)
        return result


watcher = Watcher()


def install(connection, **kwargs):
    """``connection_created`` receiver: watch what the new connection writes."""
    if watcher not in connection.execute_wrappers:
        connection.execute_wrappers.append(watcher)


def pause(**kwargs):
    watcher.paused = True


def after_migrate(using, **kwargs):
    """``post_migrate`` receiver: writes start versions again, and what migrations changed is
    shown (their writes are not watched)."""
    watcher.paused = False
    if ContentVersion._meta.db_table in connections[using].introspection.table_names():
        ContentVersion.objects.using(using).update(number=F("number") + 1)
    versions.VERSIONS.forget()
