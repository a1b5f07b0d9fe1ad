"""A new version of the code never serves pages the old code rendered: pages are kept per
release, the checked-out commit by default (deploy/README.md runs `migrate`, which starts a new
content version, while the old code still serves)."""

import secrets
import subprocess
import sys

from tests.deploy.test_production_env import sourced
from tests.services import REPO_ROOT


def test_the_reference_deployment_runs_each_version_of_the_code_under_its_own_release():
    variables = {**sourced(), "SECRET_KEY": secrets.token_urlsafe(50)}
    done = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.conf import settings; print(settings.NEWSROOM_RELEASE)",
        ],
        cwd=REPO_ROOT,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "newsroom.settings", **variables},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    release = done.stdout.strip().splitlines()[-1]

    assert release != "dev", "every deployment of every version shares the keys of 'dev'"
