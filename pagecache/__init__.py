"""The full-page cache for readers (anonymous or signed in, never staff), and why it is never
stale.

Its public interface, by module:

- ``registry``: what readers see, declared by the apps that own it in their ``ready()``:
  ``shown_to_readers(*models)``, ``furniture(name, *models)`` (site furniture kept apart from
  pages), ``changes_at(clock)`` (content that changes by the clock alone), and for the CDN
  ``purged_with(model, keys_of, due_of)`` and ``purge_addresses(resolve)``.
- ``pages``: ``reader_page`` (a view decorator), ``cached_response`` and ``CachedPage`` for a
  view that must choose a variant, ``is_reader``, ``is_staff`` and ``has_session``;
  ``withdrawn_at(model, is_visible)`` for rows with a page of their own.
- ``parts``: ``remember`` and ``cached_lookup``, values built once per content version.
- ``versions``: ``current()`` and ``start_new_version()``, the content version itself.
- ``fastpath``: ``KeptPages``, the WSGI application that answers kept pages in front of
  Django's, and the middleware ``record_answers`` that records their headers;
  ``personal_cookie(name)``, a cookie that keeps its visitors from those answers.
- ``surrogates``: ``shows(*keys)``, what the page being built shows, for the CDN in front.
- ``purge``: the keys a change purges (``registry.purged_with``), queued in the database and
  sent by the worker (``purge_due``) to Varnish, nginx, Cloudflare or Fastly
  (``CDN_PURGE_BACKEND``).

Every cached page is stored with the content version it was built for and served only under
that version. The version lives in the database, which every process of a deployment shares
whatever its cache (``pagecache.models.ContentVersion``); any committed write to a table that
readers see starts a new one (``watch``), so every page is rebuilt at its next request.
"""
