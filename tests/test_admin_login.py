"""The admin's sign-in page under password guessing: lockouts per account and per address."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
PASSWORD = "correct horse battery staple"
HOME = "203.0.113.7"  # the journalist's own network
ELSEWHERE = "198.51.100.66"  # an attacker's


@pytest.fixture
def journalist(db):
    user = UserFactory(username="claire", is_staff=True)
    user.set_password(PASSWORD)
    user.save()
    return user


def sign_in(username, password, address=HOME, client=None, **headers):
    client = client or Client()
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=address,
        **headers,
    )


def fail(times, username="claire", address=HOME):
    for attempt in range(times):
        sign_in(username, f"wrong-{attempt}", address)


def without_csrf_token(response):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def is_signed_in(response):
    return response.status_code == 302 and response["Location"] == reverse("admin:index")


def test_right_password_signs_in_after_a_few_typos(journalist):
    fail(4)

    assert is_signed_in(sign_in("claire", PASSWORD))


def test_account_is_locked_from_an_address_after_five_failures_even_with_the_right_password(
    journalist,
):
    fail(5)

    response = sign_in("claire", PASSWORD)

    assert response.status_code == 429
    assert "_auth_user_id" not in response.client.session


def test_lockout_page_is_in_french_says_when_to_retry_and_whom_to_ask(journalist, settings):
    fail(5)

    response = sign_in("claire", PASSWORD)

    content = response.content.decode()
    assert "Trop de tentatives de connexion" in content
    assert "Réessayez après" in content
    assert "éditeur" in content
    assert "Le Quotidien — rédaction" in content  # the admin's own header, the site's name


def test_attacker_elsewhere_cannot_lock_a_journalist_out_of_their_own_network(journalist):
    fail(50, address=ELSEWHERE)

    assert sign_in("claire", "anything", ELSEWHERE).status_code == 429
    assert is_signed_in(sign_in("claire", PASSWORD, HOME))


def test_an_address_that_tries_many_accounts_is_locked_out(journalist):
    for number in range(30):
        sign_in(f"user-{number}", "guess", ELSEWHERE)

    assert sign_in("claire", PASSWORD, ELSEWHERE).status_code == 429
    assert is_signed_in(sign_in("claire", PASSWORD, HOME))


def test_an_address_below_its_limit_is_not_locked_out(journalist):
    for number in range(29):
        sign_in(f"user-{number}", "guess", ELSEWHERE)

    assert is_signed_in(sign_in("claire", PASSWORD, ELSEWHERE))


def test_unknown_account_and_wrong_password_get_the_same_answers(journalist):
    wrong = sign_in("claire", "wrong", "192.0.2.1")
    unknown = sign_in("nobody", "wrong", "192.0.2.2")
    assert wrong.status_code == unknown.status_code == 200
    assert without_csrf_token(wrong).replace("claire", "nobody") == without_csrf_token(unknown)

    fail(5, "claire", "192.0.2.1")
    fail(5, "nobody", "192.0.2.2")
    locked = sign_in("claire", "wrong", "192.0.2.1")
    locked_unknown = sign_in("nobody", "wrong", "192.0.2.2")

    assert locked.status_code == locked_unknown.status_code == 429
    assert locked.content == locked_unknown.content


def test_lockout_counts_the_reader_address_behind_the_trusted_proxy(journalist, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.1"
    for attempt in range(5):
        sign_in("claire", f"wrong-{attempt}", proxy, HTTP_X_FORWARDED_FOR=f"1.2.3.4, {ELSEWHERE}")

    assert AccessAttempt.objects.get().ip_address == ELSEWHERE
    response = sign_in("claire", PASSWORD, proxy, HTTP_X_FORWARDED_FOR=HOME)
    assert is_signed_in(response)


def test_lockout_ends_after_the_cool_off(journalist):
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False) as clock:
        fail(5)
        assert sign_in("claire", PASSWORD).status_code == 429

        clock.shift(timedelta(minutes=16))

        assert is_signed_in(sign_in("claire", PASSWORD))


def test_editor_unlocks_an_account_with_the_reset_command(journalist):
    fail(5)

    call_command("axes_reset_username", "claire")

    assert is_signed_in(sign_in("claire", PASSWORD))


def test_editors_see_the_lockouts_in_the_admin(journalist, editor_client):
    fail(5)

    response = editor_client.get(reverse("admin:axes_accessattempt_changelist"))

    assert response.status_code == 200
    assert "claire" in response.content.decode()


def test_signing_in_forgets_the_accounts_failures_but_not_the_addresses(journalist):
    fail(4)
    assert is_signed_in(sign_in("claire", PASSWORD))

    fail(4)
    assert is_signed_in(sign_in("claire", PASSWORD))


def test_overlong_username_is_a_form_error_not_a_crash(journalist):
    response = sign_in("a" * 5000, "x")

    assert response.status_code == 200
    assert "au plus 150 caractères" in response.content.decode()
    assert not AccessAttempt.objects.exists()


def test_lookalike_unicode_usernames_count_against_the_same_account(journalist):
    for attempt in range(5):
        sign_in("ｃｌａｉｒｅ", f"wrong-{attempt}")  # fullwidth letters, NFKC-equal to "claire"

    assert sign_in("claire", PASSWORD).status_code == 429


def test_a_forged_forwarded_for_header_does_not_escape_the_lockout(journalist):
    for attempt in range(5):
        sign_in("claire", f"wrong-{attempt}", ELSEWHERE, HTTP_X_FORWARDED_FOR=f"10.9.8.{attempt}")

    response = sign_in("claire", PASSWORD, ELSEWHERE, HTTP_X_FORWARDED_FOR="10.9.8.200")
    assert response.status_code == 429


def test_lockout_page_is_kept_by_no_cache_and_says_when_to_retry(journalist):
    fail(5)

    response = sign_in("claire", PASSWORD)

    assert response.status_code == 429
    assert "no-store" in response["Cache-Control"]
    assert 14 * 60 < int(response["Retry-After"]) <= 15 * 60
