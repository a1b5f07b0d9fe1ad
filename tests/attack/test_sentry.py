"""Attack on Sentry scrubbing (newsroom/monitoring.py): the URL loses its token, but the
Referer header is sent as it came. A reader who clicks "Se connecter" on a sign-in link's page
posts with that link as Referer; if the sign-in fails with an error, the unused, valid token
reaches Sentry."""

import subprocess
import sys

from tests.services import REPO_ROOT, production_env
from tests.test_monitoring import FAIL, sentry_ingest

__all__ = ["sentry_ingest"]

SIGN_IN_LINK = "https://www.example.fr/compte/connexion/eyJ1IjoxfQ:1vAbCd:referer-secret/"


def test_an_error_reaches_sentry_without_the_token_of_the_referring_sign_in_link(
    sentry_ingest, tmp_path
):
    port, received = sentry_ingest
    env = production_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        SENTRY_DSN=f"http://publickey@127.0.0.1:{port}/1",
    )
    script = FAIL.replace("headers={", f'headers={{"Referer": "{SIGN_IN_LINK}",', 1)
    assert script != FAIL
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO_ROOT, env=env, capture_output=True,
        text=True, timeout=120, check=True,
    )  # fmt: skip
    assert done.stdout.strip().splitlines()[-1] == "500"

    everything = "\n".join(envelope for _path, envelope in received)
    assert "/panne/" in everything  # the event did arrive
    assert "referer-secret" not in everything
