"""What readers see, declared once by the apps that own it (in their ``AppConfig.ready()``).

A model is registered when any of its rows can change a reader page. Every write to its table,
through any path of the ORM (``save()``, ``QuerySet.update()``, ``bulk_create()``, deletion,
raw SQL through Django's connection), then starts a new content version (pagecache/watch.py).
``tests/pagecache/test_registry.py`` renders every reader page and fails when one reads a
table that no registered model owns.
"""

import functools
from dataclasses import dataclass, field

PAGES = "pages"  # the scope of every page: any registered change renews it


@dataclass
class Registry:
    models: set = field(default_factory=set)
    # Scopes of site furniture, kept apart from pages: {name: models it is built from}.
    furniture: dict = field(default_factory=dict)
    # Callables returning when content next changes by the clock alone (or None).
    clocks: list = field(default_factory=list)

    def tables(self):
        """{table: the scopes a write to it renews}."""
        tables = {}
        for model in self.models:
            scopes = {PAGES} | {name for name, ms in self.furniture.items() if model in ms}
            tables[model._meta.db_table] = frozenset(scopes)
            for m2m in model._meta.local_many_to_many:
                if m2m.remote_field.through._meta.auto_created:
                    tables[m2m.remote_field.through._meta.db_table] = frozenset({PAGES})
        return tables

    def next_change(self):
        """When content next changes by the clock alone: the earliest time any clock gives."""
        return min(filter(None, (clock() for clock in self.clocks)), default=None)


registry = Registry()


def shown_to_readers(*models):
    registry.models.update(models)
    _tables.cache_clear()


def furniture(name, *models):
    """Declare the scope ``name``: a part of every page built from ``models`` alone (the
    menu from sections), kept from one page version to the next until they change."""
    registry.furniture[name] = set(models)
    shown_to_readers(*models)


def changes_at(clock):
    """Declare content that changes by the clock alone: ``clock()`` says when next (a
    scheduled article's publication time), or None."""
    registry.clocks.append(clock)


def purged_with(model, keys_of, due_of=None):
    """Declare the CDN keys a change to a row of ``model`` purges: ``keys_of(old, new)``, the
    row as stored before and after (None when created or deleted); ``due_of(row)``, when its
    pages change again by the clock alone. Other tables readers see purge every page
    (pagecache/purge.py)."""
    from pagecache import purge

    purge.purged_with(model, keys_of, due_of)


def purge_addresses(resolve):
    """Declare ``resolve(keys)``: the addresses of the pages ``keys`` name, for a cache that
    purges by address (nginx)."""
    from pagecache import purge

    purge.ADDRESSES.append(resolve)


@functools.cache
def _tables():
    return registry.tables()


def scopes_of(table):
    """The scopes a write to ``table`` renews; None for a table readers never see."""
    return _tables().get(table)


def scopes():
    """Every scope: the pages and each piece of furniture."""
    return {PAGES, *registry.furniture}
