"""Attack on /sante/ (newsroom/health.py) under the reference deployment's gthread workers
(deploy/systemd/newsroom.service: 4 threads a worker): health checks answered at once by two
threads of one process share PROBE_KEY, and each may read the other's token."""

import threading

from newsroom import health
from tests.test_health import redis

__all__ = ["redis"]


def test_two_threads_checking_at_once_both_find_redis_answering(redis):
    start = threading.Barrier(4)
    verdicts = []

    def check():
        start.wait()
        verdicts.extend(health._cache() for _ in range(200))

    threads = [threading.Thread(target=check) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert set(verdicts) == {"ok"}, f"{verdicts.count('unreachable')} false 'unreachable'"
