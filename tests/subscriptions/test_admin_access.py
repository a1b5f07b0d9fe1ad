"""Who runs subscriptions in the admin: editors do, authors don't."""

import pytest

PAGES = [
    "/admin/subscriptions/subscriber/",
    "/admin/subscriptions/plan/",
    "/admin/subscriptions/subscription/add/",
    "/admin/subscriptions/waitinglistentry/",
    "/admin/subscriptions/paywallsettings/1/change/",
    "/admin/subscriptions/newsletteredition/add/",
]


@pytest.mark.parametrize("url", PAGES)
def test_editors_manage_newsletters_subscriptions_and_the_paywall(editor_client, url):
    assert editor_client.get(url).status_code == 200


@pytest.mark.parametrize("url", PAGES)
def test_authors_cannot_reach_the_subscriptions_admin(author_client, url):
    assert author_client.get(url).status_code == 403
