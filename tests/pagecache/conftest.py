import pytest

from pagecache import versions


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what the test does as if each change committed (the test's transaction never does)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def version_key():
    """The current page version's key, read afresh from the database."""

    def read():
        versions.VERSIONS.forget()
        return versions.current().key

    return read


@pytest.fixture
def fastly(settings):
    """Fastly's purge API, as a local server that records what it is sent."""
    from tests.pagecache.test_purge import CDN

    with CDN() as cdn:
        settings.CDN_PURGE_BACKEND = "fastly"
        settings.CDN_PURGE_FASTLY_API = cdn.url
        settings.CDN_PURGE_FASTLY_SERVICE = "svc-9"
        settings.CDN_PURGE_FASTLY_TOKEN = "fastly-token"
        yield cdn
