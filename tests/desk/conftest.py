# The newsroom of the permission tests: a colleague of the author, and stories signed by one.
from tests.articles.test_permissions import colleague, story_of

__all__ = ["colleague", "story_of"]
