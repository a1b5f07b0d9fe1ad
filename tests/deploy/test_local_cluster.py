"""deploy/local-cluster, the whole topology on loopback (nginx → Varnish with the project's VCL →
two gunicorn app servers → PostgreSQL primary and replica, Redis, the worker), soaked briefly:
readers at saturation, one story published, app server 1 killed (SIGKILL) and started again.

The script prints a JSON summary; these tests hold it to what the topology promises.
"""

import json
import subprocess

from tests.services import REPO_ROOT

SCRIPT = REPO_ROOT / "deploy" / "local-cluster"
# What a story's delay rests on is in the summary (below); MARGIN covers what is left: the
# front fetching the home page again from an app server, the purge request, and the editor's
# polling of the front, on a machine the load saturates.
MARGIN = 3.0


def run(*args, timeout=900):
    return subprocess.run(
        [str(SCRIPT), *args], capture_output=True, text=True, timeout=timeout, check=False
    )


def test_through_varnish_every_reader_is_served_while_a_server_dies_and_comes_back(tmp_path):
    summary_file = tmp_path / "soak.json"

    done = run(
        "soak", "--duration", "30", "--connections", "8",
        "--publish-every", "20",  # one story
        "--kill-at", "4", "--down-for", "2",
        "--json", str(summary_file),
    )  # fmt: skip

    assert done.returncode == 0, done.stderr[-4000:]
    summary = json.loads(summary_file.read_text())
    assert summary["requests"] > 0
    assert summary["errors"] == 0, summary["error_kinds"]  # after Varnish's retries
    # A story shows once the worker has purged the pages listing it: the purge waits
    # CDN_PURGE_DELAY after the commit, and the worker finds it within its polling interval.
    assert summary["purging"]
    assert summary["publications"] >= 1
    assert summary["publications_not_shown"] == 0
    bound = summary["purge_delay_s"] + summary["worker_interval_s"] + MARGIN
    assert summary["longest_to_show_s"] <= bound, summary["to_show_s"]
    # Varnish's health checks saw the server go and come back, and it served readers again.
    restart = summary["restart"]
    assert restart["health_after_kill"] is not None
    assert restart["health_after_restart"] is not None
    assert restart["reader_requests_after_restart"] > 0


def test_without_the_projects_vcl_the_cluster_says_so_and_starts_nothing(tmp_path):
    done = run("up", "--vcl", str(tmp_path / "missing.vcl"), timeout=60)

    assert done.returncode != 0
    assert "No VCL at" in done.stderr
    assert "deploy/varnish/newsroom.vcl" in done.stderr


def test_redis_the_replica_and_the_worker_stopped_in_turn_under_load(tmp_path):
    results_file = tmp_path / "faults.json"

    done = run(
        "fault", "redis", "replica", "worker",
        "--connections", "8", "--down-for", "4", "--json", str(results_file),
    )  # fmt: skip

    assert done.returncode == 0, done.stderr[-4000:]
    results = {outcome["fault"]: outcome for outcome in json.loads(results_file.read_text())}
    for fault in ("redis", "replica"):
        outcome = results[fault]
        # Readers through the front, and pages no cache held asked of each app server directly
        # while the service was down: every one a 200, none a 500 nor a 503.
        assert outcome["readers"]["errors"] == 0, (fault, outcome["readers"]["error_kinds"])
        assert outcome["while_down"]["answers"].keys() == {"200"}, (fault, outcome)
        assert outcome["after"]["answers"].keys() == {"200"}, (fault, outcome)
    # Without Redis the site says so, and serves from the database; then uses Redis again.
    assert results["redis"]["while_down"]["health"].keys() == {"degraded"}
    assert results["redis"]["used_again_after_s"] is not None

    worker = results["worker"]
    assert worker["readers"]["errors"] == 0, worker["readers"]["error_kinds"]
    # The story's purge and the edition waited in the database: Varnish still had the old home
    # page, and nobody had the newsletter.
    assert worker["while_down"]["pending_purges"] > 0
    assert not worker["while_down"]["story_shown"]
    assert worker["while_down"]["edition"] == "sending"
    assert "sent" not in worker["while_down"]["deliveries"]
    # Back, the worker sent them: the story shows, every subscriber got the edition once.
    assert worker["story_shown_after_restart_s"] is not None
    assert worker["after"]["pending_purges"] == 0
    assert worker["after"]["edition"] == "sent"
    assert worker["after"]["deliveries"] == {"sent": worker["subscribers"]}
