"""Attacks on newsroom/logs.py: a sign-in link is a credential, even slightly mangled."""

import logging

import pytest
from django.test import Client

from newsroom.monitoring import before_send

pytestmark = pytest.mark.django_db

TOKEN = "eyJ1IjoxfQ:1vAbCd:secret-signature"
# What mail clients and readers make of a link: a closing parenthesis or a full stop glued to
# it, a doubled slash. The request is a 404, but the token in it is intact and valid: whoever
# reads the logs can sign in as the reader.
MANGLED = [
    f"/compte/connexion/{TOKEN}/)",
    f"/compte/connexion/{TOKEN}/.",
    f"/compte/connexion/{TOKEN}//",
    f"/newsletter/desinscription/{TOKEN}/%3E",
]


@pytest.mark.parametrize("url", MANGLED)
def test_a_mangled_sign_in_link_leaves_no_token_in_the_request_log(caplog, url):
    caplog.set_level(logging.INFO)

    Client(raise_request_exception=False).get(url)

    logged = [record.getMessage() for record in caplog.records]
    logged += [getattr(record, "path", "") for record in caplog.records]
    assert not [line for line in logged if "secret-signature" in line]


@pytest.mark.parametrize("url", MANGLED)
def test_a_mangled_sign_in_link_leaves_no_token_in_a_sentry_event(url):
    event = {"request": {"url": f"https://www.example.fr{url}"}, "release": "r"}

    assert "secret-signature" not in before_send(event, {})["request"]["url"]
