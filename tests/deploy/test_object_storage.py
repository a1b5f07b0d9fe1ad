"""Media on S3-compatible object storage (django-storages), against a real S3 server: moto's,
in a process of its own (tests/services.py). Uploads land in the bucket and nowhere on disk,
readers get them at their public addresses, and an image's files exist exactly when its row is
committed, as on local disk.
"""

import json
import re
from io import BytesIO
from urllib.request import urlopen

import boto3
import factory
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image as PILImage

from articles import images
from articles.models import Image
from tests.factories import ImageFactory
from tests.services import S3_CREDENTIALS, manage, production_env, s3_server

BUCKET = "newsroom-media"
SEED = """
import json
from articles import images
from tests.factories import ImageFactory
image = ImageFactory()
print(json.dumps({
    "files": images.file_names(image.file.name, image.width),
    "original": image.file.url,
    "srcset": image.srcset_webp,
}))
"""


@pytest.fixture(scope="module")
def s3():
    with s3_server(BUCKET) as endpoint:
        yield endpoint


@pytest.fixture
def bucket(s3, settings, db):
    """The default storage on the test's bucket, emptied after the test."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3,
                "region_name": "us-east-1",
                "access_key": S3_CREDENTIALS["AWS_ACCESS_KEY_ID"],
                "secret_key": S3_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
                "querystring_auth": False,
                "file_overwrite": False,
            },
        },
    }
    client = _client(s3)
    yield client
    for name in _keys(client):
        client.delete_object(Bucket=BUCKET, Key=name)


def _client(endpoint):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=S3_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=S3_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )


def _keys(client):
    listing = client.list_objects_v2(Bucket=BUCKET)
    return {item["Key"] for item in listing.get("Contents", [])}


def _files_of(image):
    return set(images.file_names(image.file.name, image.width))


def _fetch(url):
    with urlopen(url, timeout=30) as response:
        return response.headers, response.read()


def test_production_settings_put_uploads_in_the_bucket_and_readers_get_them(s3, tmp_path):
    env = production_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        MEDIA_ROOT=str(tmp_path / "media"),
        AWS_STORAGE_BUCKET_NAME=BUCKET,
        AWS_S3_ENDPOINT_URL=s3,
        AWS_S3_REGION_NAME="us-east-1",
        **S3_CREDENTIALS,
    )
    manage(env, "migrate", "--noinput")

    stored = json.loads(manage(env, "shell", "-c", SEED).strip().splitlines()[-1])

    client = _client(s3)
    assert _keys(client) == set(stored["files"])
    assert not (tmp_path / "media").exists()  # nothing on the app server's disk
    assert stored["original"] == f"{s3}/{BUCKET}/{stored['files'][0]}"
    for candidate in stored["srcset"].split(", "):
        url, width = candidate.split(" ")
        headers, body = _fetch(url)
        key = url.removeprefix(f"{s3}/{BUCKET}/")
        assert body == client.get_object(Bucket=BUCKET, Key=key)["Body"].read()
        assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
        with PILImage.open(BytesIO(body)) as picture:
            assert (picture.format, f"{picture.width}w") == ("WEBP", width)


def test_upload_through_the_admin_stores_the_original_and_renditions_in_the_bucket(
    bucket, editor_client
):
    upload = SimpleUploadedFile("Une photo.jpg", _jpeg(1000, 500), content_type="image/jpeg")

    response = editor_client.post(
        "/admin/articles/image/add/", {"file": upload, "alt_text": "La mairie"}
    )

    assert response.status_code == 302
    image = Image.objects.get()
    assert _keys(bucket) == _files_of(image)
    assert re.fullmatch(r"images/\d{4}/\d{2}/une-photo-[a-z0-9]{8}\.jpg", image.file.name)
    _headers, body = _fetch(image.rendition_url(320))
    with PILImage.open(BytesIO(body)) as picture:
        assert (picture.format, picture.size) == ("JPEG", (320, 160))


def test_a_second_upload_under_the_same_name_gets_its_own_files(bucket):
    first = ImageFactory()
    second = ImageFactory()

    assert first.file.name != second.file.name
    assert _keys(bucket) == _files_of(first) | _files_of(second)


def test_upload_in_a_rolled_back_savepoint_leaves_nothing_in_the_bucket(bucket):
    with pytest.raises(RuntimeError), transaction.atomic():
        ImageFactory()
        assert _keys(bucket)
        raise RuntimeError

    assert not Image.objects.exists()
    assert _keys(bucket) == set()


def test_replacing_and_deleting_remove_the_files_once_committed(
    bucket, django_capture_on_commit_callbacks
):
    image = ImageFactory(file=factory.django.ImageField(width=1000, height=500))
    old_files = _files_of(image)

    with django_capture_on_commit_callbacks(execute=True):
        image.file = SimpleUploadedFile("nouvelle.jpg", _jpeg(700, 400))
        image.save()
    assert _keys(bucket) == _files_of(image)
    assert not old_files & _keys(bucket)

    with django_capture_on_commit_callbacks(execute=True):
        image.delete()
    assert _keys(bucket) == set()


def test_rolled_back_deletion_keeps_the_files(bucket):
    image = ImageFactory()

    with pytest.raises(RuntimeError), transaction.atomic():
        image.delete()
        raise RuntimeError

    assert _keys(bucket) == _files_of(image)
    assert default_storage.exists(image.file.name)


def _jpeg(width, height):
    buffer = BytesIO()
    PILImage.new("RGB", (width, height), "steelblue").save(buffer, "JPEG")
    return buffer.getvalue()
