"""deploy/env.production: read as the sysadmin's shell and systemd read it, it starts the site
with a clean `check --deploy`, and it names no variable the settings do not read."""

import re
import secrets
import subprocess
import sys

from tests.services import REPO_ROOT

ENV_FILE = REPO_ROOT / "deploy" / "env.production"
# Read by boto3 itself, not by newsroom/settings.py.
READ_BY_LIBRARIES = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}


def sourced():
    """The variables the file sets, as `set -a; . env` in bash sets them."""
    done = subprocess.run(
        ["bash", "-c", 'set -a; . "$0"; set +a; env -0', str(ENV_FILE)],
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    pairs = (entry.split("=", 1) for entry in done.stdout.split("\0") if "=" in entry)
    return {key: value for key, value in pairs if key not in ("PATH", "PWD", "SHLVL", "_")}


def test_values_with_spaces_are_read_whole_by_the_shell():
    variables = sourced()

    assert variables["SITE_NAME"] == "Le Quotidien"
    assert variables["DEFAULT_FROM_EMAIL"] == "Le Quotidien <redaction@example.fr>"
    assert variables["DEBUG"] == "false"


def test_production_environment_passes_the_deploy_check():
    variables = {**sourced(), "SECRET_KEY": secrets.token_urlsafe(50)}

    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=REPO_ROOT,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "newsroom.settings", **variables},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode == 0, done.stderr
    assert "no issues" in done.stdout


def test_every_variable_named_is_one_the_site_reads():
    named = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", ENV_FILE.read_text(), re.MULTILINE))
    settings = (REPO_ROOT / "newsroom" / "settings.py").read_text()

    unread = {name for name in named if f'"{name}"' not in settings} - READ_BY_LIBRARIES

    assert len(named) > 20
    assert unread == set()
