"""Attacks on deploy/restore: what --force promises ("the database's objects are replaced")."""

import psycopg

from tests.deploy.test_backup import backed_up, run, tables, target

__all__ = ["backed_up", "target"]


def test_a_forced_restore_leaves_no_table_the_backup_does_not_hold(backed_up, target):
    """Going back to last night's backup after a deploy whose migration added a table: the
    table stays, and the next `manage.py migrate` of that code fails ("already exists")."""
    assert run("restore", backed_up["path"], env=target["env"]).returncode == 0
    in_backup = tables(target["database"])
    with psycopg.connect(target["database"]) as db:  # what a newer migration made
        db.execute("CREATE TABLE articles_podcast (id bigint PRIMARY KEY, title text)")

    forced = run("restore", "--force", backed_up["path"], env=target["env"])

    assert forced.returncode == 0, forced.stderr
    assert tables(target["database"]) == in_backup
