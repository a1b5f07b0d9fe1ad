"""deploy/systemd: units systemd reads without a warning, that agree with the nginx site and the
production environment file."""

import re
import shutil
import subprocess

import pytest

from tests.services import REPO_ROOT

UNITS = REPO_ROOT / "deploy" / "systemd"
CHECKOUT = "/srv/newsroom"


def test_units_are_read_by_systemd_without_a_warning(tmp_path):
    if not shutil.which("systemd-analyze"):
        pytest.fail("systemd-analyze is missing (apt-get install systemd)")
    # The checkout's paths on this machine, so that every ExecStart names a real program.
    for unit in UNITS.iterdir():
        (tmp_path / unit.name).write_text(unit.read_text().replace(CHECKOUT, str(REPO_ROOT)))
    names = sorted(path.name for path in tmp_path.iterdir())
    assert len(names) == 8

    verified = subprocess.run(
        ["systemd-analyze", "verify", *names], cwd=tmp_path, capture_output=True, text=True
    )

    assert verified.returncode == 0, verified.stderr
    assert verified.stderr == ""


def test_app_server_listens_where_nginx_sends_requests():
    service = (UNITS / "newsroom.service").read_text()
    site = (REPO_ROOT / "deploy" / "nginx" / "newsroom.conf").read_text()

    (bind,) = re.findall(r"--bind (\S+)", service)
    (upstream,) = re.findall(r"upstream newsroom_app \{\s+server (\S+);", site)

    assert bind == upstream


def test_app_server_may_write_the_media_folder_nginx_serves_and_nothing_else():
    service = (UNITS / "newsroom.service").read_text()
    environment = (REPO_ROOT / "deploy" / "env.production").read_text()
    site = (REPO_ROOT / "deploy" / "nginx" / "newsroom.conf").read_text()

    (media_root,) = re.findall(r"^MEDIA_ROOT=(\S+)$", environment, re.MULTILINE)
    (served,) = re.findall(r"location /media/ \{\s+alias (\S+);", site)

    assert "ProtectSystem=strict" in service
    assert re.findall(r"^ReadWritePaths=(.*)$", service, re.MULTILINE) == [media_root]
    assert served.rstrip("/") == media_root
