"""Production settings, checked in a fresh process as a server would start them."""

import os
import subprocess
import sys
from pathlib import Path

from django.core.management.utils import get_random_secret_key

REPO = Path(__file__).resolve().parent.parent


def _manage(*args, **env):
    # Explicit values win over the repository's .env, which django-environ only uses as defaults.
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", ""),
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        **env,
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_deploy_check_is_clean_in_production():
    result = _manage(
        "check",
        "--deploy",
        DEBUG="false",
        SECRET_KEY=get_random_secret_key(),
        ALLOWED_HOSTS="example.com",
    )

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "no issues" in output, output


def test_a_secret_key_starting_with_a_dollar_sign_is_taken_as_it_is():
    # get_random_secret_key() draws "$" among its characters; django-environ would read such a
    # value as the name of another variable and leave the site without a key.
    result = _manage(
        "check", DEBUG="false", SECRET_KEY="$" + get_random_secret_key(), ALLOWED_HOSTS="x.fr"
    )

    assert result.returncode == 0, result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", DEBUG="false", SECRET_KEY="", ALLOWED_HOSTS="example.com")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_the_benchmark_is_installed_only_when_asked_for():
    production = {"DEBUG": "false", "SECRET_KEY": get_random_secret_key()}

    without = _manage("bench", "--help", **production)
    with_it = _manage("bench", "--help", NEWSROOM_BENCHMARK="1", **production)

    assert without.returncode != 0
    assert "Unknown command: 'bench'" in without.stderr
    assert with_it.returncode == 0, with_it.stderr
    assert "ceiling" in with_it.stdout


def test_the_release_is_the_checked_out_commit_by_default(tmp_path):
    from newsroom.settings import checked_out_commit

    git = tmp_path / ".git"
    assert checked_out_commit(git) == ""  # not a checkout
    (git / "refs/heads").mkdir(parents=True)
    (git / "HEAD").write_text("ref: refs/heads/main\n")
    (git / "packed-refs").write_text("# pack-refs\n" + "a" * 40 + " refs/heads/main\n")
    assert checked_out_commit(git) == "a" * 12
    (git / "refs/heads/main").write_text("b" * 40 + "\n")
    assert checked_out_commit(git) == "b" * 12
    (git / "HEAD").write_text("c" * 40 + "\n")  # a tag checked out: a detached HEAD
    assert checked_out_commit(git) == "c" * 12


def test_a_publication_waits_at_most_a_second_for_its_purge_by_default():
    # docs/PERFORMANCE.md, "Freshness": CDN_PURGE_DELAY (PAGE_CACHE_RECHECK + a page's build)
    # + the worker's look at its queue.
    shown = _manage(
        "shell", "-c",
        "from django.conf import settings\n"
        "from subscriptions.management.commands.db_worker import Command\n"
        "interval = Command().create_parser('manage.py', 'db_worker').parse_args([]).interval\n"
        "print(settings.PAGE_CACHE_RECHECK, settings.CDN_PURGE_DELAY, interval)",
        DEBUG="false", SECRET_KEY=get_random_secret_key(), ALLOWED_HOSTS="example.com",
    )  # fmt: skip

    assert shown.stdout.splitlines()[-1].split() == ["0.5", "0.75", "0.25"], shown.stderr[-2000:]
