import pytest

from audience import counting, views


@pytest.fixture(autouse=True)
def fresh_counts():
    """No count nor flush timer left by one test for the next."""
    counting.PROCESS.take()
    views._known["version"] = None
    yield
    counting.PROCESS.take()
