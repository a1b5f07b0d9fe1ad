"""Background work of the desk, run by ``manage.py db_worker``."""

from django_tasks import task

from desk import notifications


@task()
def notify_review(event_id):
    """E-mail the people a review event concerns: the editors, or the story's authors."""
    return notifications.send(event_id)
