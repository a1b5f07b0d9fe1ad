"""Every write to a table readers see starts a new content version once it commits.

A database execute wrapper on every connection reads the statement Django sends: a statement
that writes (INSERT, UPDATE, DELETE, REPLACE, MERGE, TRUNCATE, or WITH … one of them) and names
a registered table (pagecache/registry.py), quoted or not, asks for a new version. It sees what
signals miss (``QuerySet.update()``, ``bulk_create()``, ``bulk_update()``, raw SQL through the
connection). A read costs one anchored match; only writes are read through.
"""

import re

from django.db import connections

from pagecache import purge, registry, versions
from pagecache.models import ContentVersion

# The statement's first keyword, after any comments.
FIRST_KEYWORD = re.compile(r"(?:\s+|/\*.*?\*/|--[^\n]*)*(\w+)", re.DOTALL)
WRITES = {"INSERT", "UPDATE", "DELETE", "REPLACE", "MERGE", "TRUNCATE"}
WRITE_IN_WITH = re.compile(r"\b(?:INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)
NAME = re.compile(r'"([^"]+)"|`([^`]+)`|\b(\w+)\b')


def tables_written(sql):
    """The names a statement that writes holds (its tables among them); () for a read."""
    first = FIRST_KEYWORD.match(sql)
    keyword = first[1].upper() if first else ""
    if keyword not in WRITES and not (keyword == "WITH" and WRITE_IN_WITH.search(sql)):
        return ()
    return {quoted or backticked or bare for quoted, backticked, bare in NAME.findall(sql)}


class Watcher:
    def __init__(self):
        # Off while migrations run: tables may not exist yet, or not in their final shape.
        self.paused = False

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not self.paused:
            scopes, tables = set(), []
            for name in tables_written(sql):
                if found := registry.scopes_of(name):
                    scopes.update(found)
                    tables.append(name)
            if scopes:
                versions.start_new_version(scopes, using=context["connection"].alias)
                purge.written(tables, context["connection"].alias)
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
        # Every scope, rows made where missing; when content next changes by the clock is
        # left as it was (the tables it is read from may not be in their final shape).
        versions.VERSIONS.start_new(registry.scopes(), using, clock=False)
    versions.VERSIONS.forget()
