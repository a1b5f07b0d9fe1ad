"""Real services for fault tests, each started by the test that needs it and stopped after it.

``RedisServer`` (a redis-server on a free port, never the shared one at 6379, which must not
be stopped or flushed), ``throwaway_database`` (a PostgreSQL database of its own on the local
server, dropped afterwards, whatever DATABASE_URL the suite runs on), ``PostgresReplica`` (a
PostgreSQL primary and its streaming replica, two clusters of the test's own on free ports,
never the shared server at 5432), ``app_server`` (the site under gunicorn with production
settings), ``s3_server`` (moto's S3-compatible server, with a bucket), ``nginx_server``
(Debian's nginx with a site file of the test's, run as the current user under a prefix of its
own) and ``http`` (one request, no redirect followed).
"""

import contextlib
import getpass
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import psycopg
from psycopg import sql

REPO_ROOT = Path(__file__).resolve().parents[1]
POSTGRES = {"host": "127.0.0.1", "port": 5432, "user": "postgres", "dbname": "postgres"}


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(ready, what, process, timeout=30):
    deadline = time.monotonic() + timeout
    while not ready():
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start")
        time.sleep(0.1)


class RedisServer:
    """A redis-server of the test's own, without persistence: ``kill``, ``start`` again on the
    same port (empty, or with what ``snapshot()`` saved), ``pause``/``resume`` (a hung server),
    ``stored_keys()`` (what the site stored)."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None
        self.directory = tempfile.TemporaryDirectory(prefix="faults-redis-")

    def start(self):
        command = [
            "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", self.directory.name,
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for(self._answers, "redis-server", self.process)
        return self

    def _answers(self):
        try:
            return self.client().ping()
        except Exception:
            return False

    def client(self):
        import redis

        return redis.Redis.from_url(self.url, socket_timeout=2)

    def stored_keys(self):
        return self.client().keys("*")

    def snapshot(self):
        """Save the data to disk: the next ``start()`` begins with it."""
        self.client().save()

    def kill(self):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)  # a paused server cannot die otherwise
            self.process.kill()
            self.process.wait(timeout=10)

    def remove(self):
        self.kill()
        self.directory.cleanup()

    def pause(self):
        self.process.send_signal(signal.SIGSTOP)

    def resume(self):
        self.process.send_signal(signal.SIGCONT)


@contextlib.contextmanager
def redis_server():
    server = RedisServer().start()
    try:
        yield server
    finally:
        server.remove()


@contextlib.contextmanager
def throwaway_database(prefix="newsroom_faults"):
    """A new, empty PostgreSQL database; yields its URL. Dropped afterwards, sessions and all."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    with psycopg.connect(**POSTGRES, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield f"postgres://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(**POSTGRES, autocommit=True) as admin:
            admin.execute(
                sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS true").format(
                    sql.Identifier(name)
                )
            )
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


class PostgresReplica:
    """A PostgreSQL primary and a streaming replica of it (``pg_basebackup -R``), clusters of
    this machine's PostgreSQL in a temporary directory, each on a free port of 127.0.0.1, with
    one database, ``newsroom``: ``primary_url``, ``replica_url``. ``pause_replay``/``resume_replay``
    (a replica lagging behind), ``stop_replica``/``start_replica``, ``caught_up`` (the replica
    has replayed everything the primary wrote).

    PostgreSQL refuses to run as root: the clusters then belong to the ``postgres`` account."""

    BIN = Path("/usr/lib/postgresql/15/bin")
    DATABASE = "newsroom"

    def __init__(self):
        self.directory = Path(tempfile.mkdtemp(prefix="newsroom-replica-"))
        self.account = "postgres" if os.geteuid() == 0 else None
        if self.account:
            account = pwd.getpwnam(self.account)
            os.chown(self.directory, account.pw_uid, account.pw_gid)
        self.ports = {"primary": free_port(), "replica": free_port()}
        self.primary_url = self._url("primary")
        self.replica_url = self._url("replica")

    def _url(self, cluster):
        return f"postgres://postgres@127.0.0.1:{self.ports[cluster]}/{self.DATABASE}"

    def _run(self, program, *args):
        command = [str(self.BIN / program), *args]
        if self.account:
            command = ["runuser", "-u", self.account, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
        if done.returncode:
            raise RuntimeError(f"{program} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")

    def _pg_ctl(self, cluster, action):
        data = self.directory / cluster
        options = [] if action == "stop" else ["-o", f"-p {self.ports[cluster]}"]
        self._run(
            "pg_ctl", action, "-D", str(data), "-l", str(self.directory / f"{cluster}.log"),
            "-w", "-t", "60", "-m", "fast", *options,
        )  # fmt: skip

    def start(self):
        primary = self.directory / "primary"
        self._run(
            "initdb", "-D", str(primary), "-U", "postgres", "--auth=trust",
            "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync",
        )  # fmt: skip
        with (primary / "postgresql.conf").open("a") as conf:
            # Throwaway clusters: durability is of no use, speed is. The replica's
            # configuration is a copy of this one (pg_basebackup).
            conf.write(
                "listen_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.directory}'\n"
                "fsync = off\nfull_page_writes = off\n"
                "shared_buffers = 16MB\nmax_connections = 40\n"
            )
        self._pg_ctl("primary", "start")
        with self.connect("primary", "postgres") as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.DATABASE)))
        self._run(
            "pg_basebackup", "-h", "127.0.0.1", "-p", str(self.ports["primary"]), "-U",
            "postgres", "-D", str(self.directory / "replica"), "-R", "-X", "stream",
            "--no-sync", "--checkpoint=fast",
        )  # fmt: skip
        self._pg_ctl("replica", "start")
        return self

    def connect(self, cluster, dbname=DATABASE):
        return psycopg.connect(
            host="127.0.0.1",
            port=self.ports[cluster],
            user="postgres",
            dbname=dbname,
            autocommit=True,
        )

    def pause_replay(self):
        with self.connect("replica") as replica:
            replica.execute("SELECT pg_wal_replay_pause()")

    def resume_replay(self):
        with self.connect("replica") as replica:
            replica.execute("SELECT pg_wal_replay_resume()")

    def caught_up(self):
        """Whether the replica has replayed all the primary has written so far."""
        with self.connect("primary") as primary:
            written = primary.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
        with self.connect("replica") as replica:
            return replica.execute(
                "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [written]
            ).fetchone()[0]

    def stop_replica(self):
        self._pg_ctl("replica", "stop")

    def start_replica(self):
        self._pg_ctl("replica", "start")

    def remove(self):
        for cluster in ("replica", "primary"):
            if (self.directory / cluster / "postmaster.pid").exists():
                with contextlib.suppress(RuntimeError):
                    self._pg_ctl(cluster, "stop")
        shutil.rmtree(self.directory, ignore_errors=True)


@contextlib.contextmanager
def postgres_replica():
    """A primary and its streaming replica (``PostgresReplica``), removed afterwards."""
    clusters = PostgresReplica()
    try:
        yield clusters.start()
    finally:
        clusters.remove()


def cut_off_database(url, *, allowed):
    """Refuse (or allow again) new connections to the database at ``url`` and end the open
    ones: PostgreSQL down for that database, without stopping the shared server."""
    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(**POSTGRES, autocommit=True) as admin:
        admin.execute(
            sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS {}").format(
                sql.Identifier(name), sql.SQL("true" if allowed else "false")
            )
        )
        if not allowed:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                [name],
            )


def production_env(**variables):
    """The environment of the site with production settings (DEBUG off), for this machine."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
        **variables,
    }


def manage(env, *args, timeout=120):
    """``manage.py *args`` in a process of its own; its standard output."""
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"manage.py {args[0]} failed:\n{done.stderr[-3000:]}")
    return done.stdout


@contextlib.contextmanager
def app_server(env, workers=2):
    """The site under gunicorn on a free port; yields its base URL and the path of its log."""
    if not (REPO_ROOT / "staticfiles" / "staticfiles.json").exists():
        # Pages name their hashed static files: without the manifest, every page is a 500
        # (a fresh checkout, before any test collected them).
        manage(env, "collectstatic", "--noinput")
    port = free_port()
    with tempfile.NamedTemporaryFile("w+", prefix="faults-gunicorn-", suffix=".log") as log:
        command = [
            sys.executable, "-m", "gunicorn", "newsroom.wsgi:application",
            "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--timeout", "30",
        ]  # fmt: skip
        server = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, stopped as one below
        )
        base_url = f"http://127.0.0.1:{port}"
        try:
            _wait_for(lambda: _listening(port), "gunicorn", server)
            yield base_url, log.name
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=10)


S3_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


def public_read_policy(bucket):
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
            }
        ],
    }


@contextlib.contextmanager
def s3_server(bucket="newsroom-media"):
    """moto's S3-compatible server on a free port, holding an empty ``bucket``; yields its
    endpoint URL. Any credentials are accepted: ``S3_CREDENTIALS``."""
    import boto3

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        _wait_for(lambda: _listening(port), "moto's S3 server", server)
        client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id=S3_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=S3_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )
        client.create_bucket(Bucket=bucket)
        # Readers get media at public addresses (deploy/README.md sets the same policy).
        client.put_bucket_policy(Bucket=bucket, Policy=json.dumps(public_read_policy(bucket)))
        yield endpoint
    finally:
        server.terminate()
        server.wait(timeout=20)


NGINX_MAIN = """\
{user}
{modules}
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    access_log {prefix}/access.log;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {site};
}}
"""


@contextlib.contextmanager
def nginx_server(site, ports, modules=()):
    """nginx serving the site file ``site`` (a path) under a main configuration of its own:
    nothing of the system's nginx (pid, logs, temporary files) is touched. Waits until each
    of ``ports`` answers; yields the prefix directory (error.log, access.log). ``modules``:
    Debian's dynamic modules to load (``ngx_http_cache_purge_module.so``)."""
    with tempfile.TemporaryDirectory(prefix="nginx-") as prefix:
        # Run as root, nginx would hand its workers to "nobody", who cannot read the test's files.
        user = f"user {getpass.getuser()};" if os.geteuid() == 0 else ""
        main = Path(prefix, "nginx.conf")
        modules = "".join(f"load_module /usr/lib/nginx/modules/{name};\n" for name in modules)
        main.write_text(NGINX_MAIN.format(user=user, modules=modules, prefix=prefix, site=site))
        output = Path(prefix, "output.log")
        with output.open("w") as log:
            server = subprocess.Popen(
                ["nginx", "-p", prefix, "-c", str(main), "-g", "daemon off;"],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            for port in ports:
                try:
                    _wait_for(lambda port=port: _listening(port), "nginx", server)
                except RuntimeError as error:
                    raise RuntimeError(f"{error}: {output.read_text()}") from None
            yield Path(prefix)
        finally:
            server.terminate()
            server.wait(timeout=20)


def _listening(port):
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def http(url, method="GET", data=None, headers=None):
    """One request; returns (status, headers, body as text). Redirects are not followed."""
    parts = urlsplit(url)
    body = urlencode(data, doseq=True) if data is not None else None
    headers = dict(headers or {})
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection = HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.headers, response.read().decode()
    finally:
        connection.close()


NGINX_SITE = REPO_ROOT / "deploy" / "nginx" / "newsroom.conf"


def render(site_text, substitutions):
    """The site file with each placeholder replaced; a placeholder missing from the file is an
    error, so that the file and what serves it here cannot drift apart."""
    for placeholder, value in substitutions.items():
        if placeholder not in site_text:
            raise AssertionError(f"{placeholder!r} is no longer in the site file")
        site_text = site_text.replace(placeholder, value)
    return site_text


def self_signed_certificate(directory):
    certificate, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(certificate)],
        check=True, capture_output=True,
    )  # fmt: skip
    return {
        "/etc/letsencrypt/live/www.example.fr/fullchain.pem": str(certificate),
        "/etc/letsencrypt/live/www.example.fr/privkey.pem": str(key),
    }


def local_site(directory, *, http_port, https_port, upstream, media):
    """The substitutions that serve deploy/nginx/newsroom.conf from ``directory`` on loopback:
    its ports, the app servers at ``upstream`` (host:port), uploads from ``media``, a
    self-signed certificate, cache and logs under ``directory``."""
    return {
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen [::]:80;": "",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "listen [::]:443 ssl http2;": "",
        "server 127.0.0.1:8000;": f"server {upstream};",
        "/var/cache/nginx/newsroom": str(directory / "cache"),
        "/var/log/nginx/": f"{directory}/",
        "/var/www/letsencrypt": str(directory / "acme"),
        "/srv/newsroom/staticfiles/": f"{REPO_ROOT / 'staticfiles'}/",
        "/srv/newsroom/media/": f"{media}/",
        **self_signed_certificate(directory),
    }
