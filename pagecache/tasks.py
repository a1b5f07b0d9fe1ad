"""Background work of the page cache, run by ``manage.py db_worker``."""

from django_tasks import task

from pagecache import purge


@task()
def purge_due():
    """Send the CDN every key due (pagecache/purge.py); the number of keys sent."""
    return purge.run_due()
