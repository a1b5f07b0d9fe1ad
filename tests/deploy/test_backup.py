"""deploy/backup and deploy/restore, with the real pg_dump and pg_restore: a site's articles,
images and files come back identical in another database and media directory; a database or
a media directory in use is never overwritten unless asked; a damaged backup restores nothing.
"""

import os
import shutil
import subprocess

import psycopg
import pytest

from tests.services import REPO_ROOT, manage, production_env, throwaway_database

SEED = """
from tests.factories import ArticleFactory, ImageFactory
photo = ImageFactory()
ArticleFactory(title="Le budget est voté", featured_image=photo)
ArticleFactory(title="La piscine rouvre", draft=True)
ImageFactory(file__filename="graphique.png", file__format="PNG")
"""
TABLES = {
    "articles_article": "id, title, slug, body, status, published_at, featured_image_id",
    "articles_image": "id, file, width, height, alt_text",
    "auth_user": "id, username, password",
}


def run(script, *args, env):
    return subprocess.run(
        [str(REPO_ROOT / "deploy" / script), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def rows(database_url):
    with psycopg.connect(database_url) as db:
        return {
            table: db.execute(f"SELECT {columns} FROM {table} ORDER BY id").fetchall()
            for table, columns in TABLES.items()
        }


def tables(database_url):
    with psycopg.connect(database_url) as db:
        query = "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        return db.execute(query).fetchone()[0]


def files(directory):
    return {
        str(path.relative_to(directory)): path.read_bytes()
        for path in directory.rglob("*")
        if path.is_file()
    }


@pytest.fixture(scope="module")
def backed_up(tmp_path_factory):
    """A site with articles and pictures, and its backup."""
    directory = tmp_path_factory.mktemp("backup")
    with throwaway_database(prefix="deploy_backup") as database_url:
        env = production_env(DATABASE_URL=database_url, MEDIA_ROOT=str(directory / "media"))
        manage(env, "migrate", "--noinput")
        manage(env, "shell", "-c", SEED)
        done = run("backup", str(directory / "backups"), env=env)
        assert done.returncode == 0, done.stderr
        yield {
            "path": done.stdout.strip().splitlines()[-1],
            "rows": rows(database_url),
            "files": files(directory / "media"),
        }


@pytest.fixture
def target(tmp_path):
    """An empty database and media directory to restore into."""
    with throwaway_database(prefix="deploy_restore") as database_url:
        media = tmp_path / "media"
        yield {
            "database": database_url,
            "media": media,
            "env": {**os.environ, "DATABASE_URL": database_url, "MEDIA_ROOT": str(media)},
        }


def test_backup_is_a_dated_directory_with_the_dump_the_media_and_their_sums(backed_up):
    names = sorted(os.listdir(backed_up["path"]))

    assert os.path.basename(backed_up["path"]).startswith("newsroom-20")
    assert names == ["SHA256SUMS", "database.dump", "media.tar.gz"]
    assert backed_up["rows"]["articles_image"]  # the site had pictures to back up
    assert len(backed_up["files"]) > 2


def test_restore_brings_back_the_same_articles_images_and_files(backed_up, target):
    done = run("restore", backed_up["path"], env=target["env"])

    assert done.returncode == 0, done.stderr
    assert rows(target["database"]) == backed_up["rows"]
    assert files(target["media"]) == backed_up["files"]


def test_restore_refuses_a_database_in_use_unless_forced(backed_up, target):
    assert run("restore", backed_up["path"], env=target["env"]).returncode == 0
    with psycopg.connect(target["database"]) as db:
        db.execute("UPDATE articles_article SET title = 'Modifié depuis'")
    shutil.rmtree(target["media"])  # only the database is in use

    refused = run("restore", backed_up["path"], env=target["env"])

    assert refused.returncode != 0
    assert "--force" in refused.stderr
    assert rows(target["database"]) != backed_up["rows"]

    forced = run("restore", "--force", backed_up["path"], env=target["env"])

    assert forced.returncode == 0, forced.stderr
    assert rows(target["database"]) == backed_up["rows"]
    assert files(target["media"]) == backed_up["files"]


def _public_schema(database_url):
    with psycopg.connect(database_url) as db:
        query = "SELECT nspowner::regrole::text, nspacl::text FROM pg_namespace WHERE nspname = %s"
        return db.execute(query, ["public"]).fetchone()


def test_a_forced_restore_leaves_no_table_the_backup_does_not_hold(backed_up, target):
    """Going back to last night's backup after a deploy whose migration added a table: the
    next `manage.py migrate` of that code must be able to make it again."""
    assert run("restore", backed_up["path"], env=target["env"]).returncode == 0
    in_backup, schema = tables(target["database"]), _public_schema(target["database"])
    with psycopg.connect(target["database"]) as db:  # what a newer migration made
        db.execute("CREATE TABLE articles_podcast (id bigint PRIMARY KEY, title text)")

    forced = run("restore", "--force", backed_up["path"], env=target["env"])

    assert forced.returncode == 0, forced.stderr
    assert tables(target["database"]) == in_backup
    assert _public_schema(target["database"]) == schema
    assert rows(target["database"]) == backed_up["rows"]


def test_restore_refuses_a_media_directory_in_use_unless_forced(backed_up, target):
    target["media"].mkdir()
    (target["media"] / "autre.jpg").write_bytes(b"not from the backup")
    # The site's user owns its media folder; restored as root, the files must be its too.
    site_user = (65534, 65534) if os.geteuid() == 0 else (os.getuid(), os.getgid())
    os.chown(target["media"], *site_user)

    refused = run("restore", backed_up["path"], env=target["env"])

    assert refused.returncode != 0
    assert tables(target["database"]) == 0  # nothing half-restored
    forced = run("restore", "--force", backed_up["path"], env=target["env"])
    assert forced.returncode == 0, forced.stderr
    assert files(target["media"]) == backed_up["files"]
    assert {(path.stat().st_uid, path.stat().st_gid) for path in target["media"].rglob("*")} == {
        site_user
    }
    (set_aside,) = target["media"].parent.glob("media.before-restore-*")
    assert files(set_aside) == {"autre.jpg": b"not from the backup"}


def test_damaged_backup_restores_nothing(backed_up, target, tmp_path):
    damaged = tmp_path / "damaged"
    subprocess.run(["cp", "-r", backed_up["path"], str(damaged)], check=True)
    with open(damaged / "database.dump", "r+b") as dump:
        dump.seek(-100, os.SEEK_END)
        dump.write(b"\0" * 10)

    done = run("restore", str(damaged), env=target["env"])

    assert done.returncode != 0
    assert "damaged" in done.stderr
    assert not target["media"].exists()
    assert tables(target["database"]) == 0


def test_backup_refuses_a_database_that_is_not_postgresql(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}

    done = run("backup", str(tmp_path / "backups"), env=env)

    assert done.returncode != 0
    assert "PostgreSQL" in done.stderr
    assert not (tmp_path / "backups").exists()


def test_seeded_pictures_are_in_the_backup_as_listed_in_the_database(backed_up):
    names = {name for _id, name, *_rest in backed_up["rows"]["articles_image"]}

    assert names <= set(backed_up["files"])
