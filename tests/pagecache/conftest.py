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
