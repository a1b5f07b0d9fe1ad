"""What a reader may read of an article: articles asks here, the app that sells access answers.

Articles never imports that app. The app registers its policy in its ``AppConfig.ready()``
(subscriptions registers ``subscriptions.paywall``), so dependencies point one way. A policy
offers ``Meter.from_request(request)`` (with ``has_read(article_pk)``), ``reader_of(request)``,
``decide(user, access, article_pk=None, meter=None)``, ``preview(body)``,
``is_paywalled(access)`` and ``may_read_every_body(user)``.
"""

from django.core.exceptions import ImproperlyConfigured

_policy = None


def register(policy):
    global _policy
    _policy = policy


def policy():
    if _policy is None:
        raise ImproperlyConfigured("No access policy is registered (see articles/access.py).")
    return _policy
