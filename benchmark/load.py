"""What drives and times the pages for ``manage.py bench``: wrk or, without it, a keep-alive
asyncio client; and in-process timings and profiles of uncached article pages.
"""

import asyncio
import functools
import json
import math
import shutil
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass

from django.db import connection

from benchmark.content import uncached_session
from pagecache import versions

WRK_SCRIPT = """
local paths = {%(paths)s}
local headers = {%(headers)s}
local counter = 0
local requests_by_thread = {}

setup = function(thread)
  thread:set("offset", math.random(#paths))
end

request = function()
  counter = counter + 1
  local path = paths[((counter + (offset or 0)) %% #paths) + 1]
  return wrk.format("GET", path, headers)
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH_JSON {\\"requests\\":%%d,\\"duration_us\\":%%d,\\"bytes\\":%%d,\\"p50_us\\":%%d," ..
    "\\"p90_us\\":%%d,\\"p95_us\\":%%d,\\"p99_us\\":%%d,\\"errors\\":%%d,\\"status_errors\\":%%d}\\n",
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), e.connect + e.read + e.write + e.timeout, e.status))
end
"""


@dataclass
class LoadResult:
    requests: int
    seconds: float
    bytes: int
    p50_ms: float
    p99_ms: float
    errors: int = 0
    p95_ms: float = 0.0

    @property
    def rps(self):
        return self.requests / self.seconds if self.seconds else 0.0


def _lua_string(value):
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def run_wrk(base_url, paths, *, seconds, connections, headers=None, threads=1):
    """Drive ``paths`` (rotating) with wrk for ``seconds`` at ``connections`` connections."""
    script = WRK_SCRIPT % {
        "paths": ", ".join(_lua_string(p) for p in paths),
        "headers": ", ".join(
            f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in (headers or {}).items()
        ),
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    command = [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
        "-s", handle.name, base_url,
    ]  # fmt: skip
    output = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 60, check=True
    ).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH_JSON "))
    data = json.loads(line.removeprefix("BENCH_JSON "))
    return LoadResult(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        bytes=data["bytes"],
        p50_ms=data["p50_us"] / 1000,
        p95_ms=data["p95_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        errors=data["errors"] + data["status_errors"],
    )


async def _python_load(host, port, paths, seconds, connections, headers):
    extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
    latencies, received, errors = [], [0], [0]
    deadline = time.perf_counter() + seconds

    async def connection(offset):
        reader, writer = await asyncio.open_connection(host, port)
        index = offset
        try:
            while time.perf_counter() < deadline:
                path = paths[index % len(paths)]
                index += 1
                started = time.perf_counter()
                writer.write(
                    f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n{extra}\r\n".encode("latin-1")
                )
                status_line = await reader.readline()
                length, close = 0, False
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    name, _sep, value = line.decode("latin-1").partition(":")
                    if name.lower() == "content-length":
                        length = int(value)
                    elif name.lower() == "connection" and "close" in value.lower():
                        close = True
                body = await reader.readexactly(length)
                latencies.append(time.perf_counter() - started)
                received[0] += len(body)
                if not status_line.startswith(b"HTTP/1.1 2"):
                    errors[0] += 1
                if close:
                    writer.close()
                    reader, writer = await asyncio.open_connection(host, port)
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(connection(i * 7) for i in range(connections)))
    return latencies, time.perf_counter() - started, received[0], errors[0]


def run_python_load(base_url, paths, *, seconds, connections, headers=None):
    """The fallback when wrk is missing: a keep-alive asyncio client (slower: it shares the CPU)."""
    host, port = base_url.removeprefix("http://").rstrip("/").split(":")
    latencies, elapsed, received, errors = asyncio.run(
        _python_load(host, int(port), paths, seconds, connections, headers)
    )
    return LoadResult(
        requests=len(latencies),
        seconds=elapsed,
        bytes=received,
        p50_ms=percentile(latencies, 50) * 1000,
        p95_ms=percentile(latencies, 95) * 1000,
        p99_ms=percentile(latencies, 99) * 1000,
        errors=errors,
    )


def wrk_available():
    return shutil.which("wrk") is not None


def percentile(values, p):
    """The ``p``-th percentile (nearest rank) of ``values``."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def summary(values):
    return {
        "n": len(values),
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "mean": statistics.fmean(values) if values else 0.0,
    }


def time_builds(paths, rounds=3):
    """Milliseconds per uncached article page, one request at a time through Django's full
    stack, as staff (never served from the page cache): ``warm`` with what pages share built
    once per content version (the cards, the menus, the latest stories, the related ranking),
    ``cold`` with a new content version before every request, as on the first view after a
    publication.

    Run by ``bench`` in a process with the server's settings; returns the medians.
    """
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = uncached_session()  # past the page cache
    times = {"warm": [], "cold": []}
    for path in paths:  # the first view of each builds what later ones share
        assert client.get(path).status_code == 200, path
    for name in ("warm", "cold"):
        for _round in range(rounds):
            for path in paths:
                if name == "cold":
                    versions.start_new_version()
                started = time.perf_counter()
                client.get(path)
                times[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) * 1000 for name, values in times.items()}


def time_pages(pages, ceiling, *, requests=30, rounds=5):
    """Milliseconds per request (medians), one request at a time through Django's full stack,
    for each of ``pages`` ({name: [paths]}) as an anonymous visitor (``cached``) and as staff,
    whose pages are built afresh (``uncached``), and for the ``ceiling`` page.

    Each round times ``requests`` requests of every page in turn, so that the machine's load,
    which drifts, weighs on every page alike: on a shared machine their ratios hold better than
    the figures under load. Run by ``bench`` in a process with the server's settings.
    """
    from django.conf import settings
    from django.test import Client

    clients = {"cached": Client(), "uncached": Client()}
    clients["uncached"].cookies[settings.SESSION_COOKIE_NAME] = uncached_session()
    runs = [("ceiling", "cached", [ceiling])]
    runs += [(name, mode, paths) for name, paths in pages.items() for mode in clients]
    for _name, mode, paths in runs:  # the first view fills the cache and what pages share
        for path in paths:
            assert clients[mode].get(path).status_code == 200, path
    times = {}
    for _round in range(rounds):
        for name, mode, paths in runs:
            measured = times.setdefault(f"{name} {mode}", [])
            for index in range(requests):
                started = time.perf_counter()
                clients[mode].get(paths[index % len(paths)])
                measured.append(time.perf_counter() - started)
    return {run: statistics.median(values) * 1000 for run, values in times.items()}


def profile_pages(paths, out_dir, rounds=2):
    """Profile uncached requests for ``paths`` with pyinstrument, through Django's full stack.

    Run by ``bench --profile`` in a process with the server's settings. Writes
    ``pyinstrument.txt`` and ``pyinstrument.html`` to ``out_dir``.
    """
    from pathlib import Path

    from django.conf import settings
    from django.core.cache import caches
    from django.test import Client
    from pyinstrument import Profiler

    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = uncached_session()  # past the page cache
    queries = []  # counted by hand: every request starts by clearing connection.queries

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    backend, cache_calls = caches["default"], []
    for name in ("get", "get_many", "set", "set_many", "add", "delete"):
        method = getattr(backend, name)
        setattr(backend, name, _counted(method, cache_calls))

    with connection.execute_wrapper(count):
        for path in paths:
            assert client.get(path).status_code == 200, path
    cache_per_page = len(cache_calls) / len(paths)
    started = time.perf_counter()
    for path in paths:
        client.get(path)
    plain = (time.perf_counter() - started) / len(paths)
    profiler = Profiler(interval=0.0005)
    with profiler:
        for _round in range(rounds):
            for path in paths:
                client.get(path)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    header = (
        f"{len(paths)} article pages, uncached, {rounds} rounds; "
        f"{plain * 1000:.1f} ms per page without the profiler; "
        f"{len(queries) / len(paths):.1f} SQL queries and "
        f"{cache_per_page:.1f} cache calls per page.\n\n"
    )
    (out / "pyinstrument.txt").write_text(
        header + profiler.output_text(unicode=True, color=False), encoding="utf-8"
    )
    (out / "pyinstrument.html").write_text(profiler.output_html(), encoding="utf-8")


def _counted(method, calls):
    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        calls.append(method.__name__)
        return method(*args, **kwargs)

    return wrapper
