"""What the alert purges from the CDN (pagecache/purge.py): it is on every page (``site``),
when it starts, changes or is ended, and again at its end time."""

from pagecache.surrogates import SITE


def alert_keys(old, new):
    return {SITE}


def alert_due(alert):
    return alert.ends_at if alert.is_current else None


def most_read_keys(old, new):
    """The ranking changed: the pages that show « Les plus lus »."""
    return {"most-read"}
