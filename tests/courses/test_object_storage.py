"""Files in object storage (issue 14, item 7), against a real S3-protocol endpoint on this machine:
moto's stand-alone server, one per module, on a free port. A video is uploaded and a certificate issued
by the worker's task (eager in tests) into the private bucket; both come back only through the
permission checks (the video as a short-lived signed URL, the PDF streamed), and the bucket refuses an
unsigned GET."""

import socket
import urllib.error
import urllib.request

import boto3
import pytest
from django.urls import reverse
from moto.server import ThreadedMotoServer

from courses.models import Certificate
from courses.services import enrollment_create
from courses.storage import PrivateS3Storage
from tests.courses.certify import course_finish, small_course
from tests.courses.media_clips import caption_document, clip_bytes, lesson_video, module_with_media

pytestmark = pytest.mark.django_db
PRIVATE_BUCKET = "bodywork-private"
MEDIA_BUCKET = "bodywork-media"
KEYS = {"access_key": "testing", "secret_key": "testing", "region_name": "us-east-1"}


@pytest.fixture(scope="module")
def s3_endpoint():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    client = s3_client(endpoint)
    client.create_bucket(Bucket=PRIVATE_BUCKET)
    client.create_bucket(Bucket=MEDIA_BUCKET)
    yield endpoint
    server.stop()


def s3_client(endpoint):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=KEYS["access_key"],
        aws_secret_access_key=KEYS["secret_key"],
        region_name=KEYS["region_name"],
    )


@pytest.fixture(autouse=True)
def object_storage(settings, s3_endpoint):
    """The settings cms/settings/base.py makes from S3_* variables, on the moto endpoint."""
    common = {**KEYS, "endpoint_url": s3_endpoint, "signature_version": "s3v4", "addressing_style": "path"}
    private = {**common, "bucket_name": PRIVATE_BUCKET, "querystring_expire": 300}
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**common, "bucket_name": MEDIA_BUCKET, "querystring_auth": False},
        },
        "private": {"BACKEND": "courses.storage.PrivateS3Storage", "OPTIONS": private},
        "lesson_media": {
            "BACKEND": "courses.storage.PrivateS3Storage",
            "OPTIONS": {**private, "file_overwrite": False},
        },
    }
    settings.PRIVATE_URL_EXPIRE_SECONDS = 300
    return s3_client(s3_endpoint)


def fetch(url) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


def unsigned_get(endpoint, key) -> int:
    return fetch(f"{endpoint}/{PRIVATE_BUCKET}/{key}")[0]


def test_lesson_video_is_in_the_private_bucket_and_reaches_only_enrolled_learners(
    client, s3_endpoint, object_storage, course, learner, other_learner
):
    video = lesson_video()
    captions = caption_document()
    module = module_with_media(course, video, captions=[captions])
    enrollment_create(user=learner, course=course)
    assert isinstance(video.file.storage, PrivateS3Storage)
    head = object_storage.head_object(Bucket=PRIVATE_BUCKET, Key=video.file.name)
    assert head["ContentLength"] == len(clip_bytes("clip.webm"))
    assert unsigned_get(s3_endpoint, video.file.name) == 403

    url = reverse("courses:lesson_media", args=[module.pk, video.pk])
    client.force_login(learner)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"
    signed = response["Location"]
    assert signed.startswith(f"{s3_endpoint}/{PRIVATE_BUCKET}/") and "X-Amz-Signature=" in signed
    assert "X-Amz-Expires=300" in signed
    assert fetch(signed) == (200, clip_bytes("clip.webm"))
    # The caption track is streamed from the media bucket after the same check.
    captions_url = reverse("courses:lesson_media_captions", args=[module.pk, video.pk, captions.pk])
    track = client.get(captions_url)
    assert track.status_code == 200
    assert b"".join(track.streaming_content) == clip_bytes("captions.vtt")

    client.force_login(other_learner)
    assert client.get(url).status_code == 404
    assert client.get(captions_url).status_code == 404


def test_certificate_issued_by_the_worker_task_is_private_and_downloads_only_for_its_owner(
    client, s3_endpoint, object_storage, catalogue, learner, other_learner, django_capture_on_commit_callbacks
):
    course, pages = small_course(catalogue)
    with django_capture_on_commit_callbacks(execute=True):  # queues courses.tasks.issue_certificate
        enrollment = course_finish(learner, course, pages)
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert certificate.status == Certificate.Status.ISSUED
    stored = object_storage.get_object(Bucket=PRIVATE_BUCKET, Key=certificate.pdf.name)["Body"].read()
    assert stored.startswith(b"%PDF-")
    assert unsigned_get(s3_endpoint, certificate.pdf.name) == 403

    url = reverse("courses:certificate_download", args=[certificate.code])
    client.force_login(learner)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == stored

    client.force_login(other_learner)
    assert client.get(url).status_code == 404


def test_signed_urls_are_signed_for_the_endpoint_browsers_reach(s3_endpoint):
    """docker compose: servers reach MinIO as minio:9000, browsers as localhost:9000."""
    storage = PrivateS3Storage(
        **KEYS,
        bucket_name=PRIVATE_BUCKET,
        endpoint_url=s3_endpoint,
        public_endpoint_url="http://localhost:9000",
    )
    url = storage.url("lesson-media/clip.webm", expire=60)
    assert url.startswith(f"http://localhost:9000/{PRIVATE_BUCKET}/lesson-media/clip.webm?")
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=60" in url
    assert storage.default_acl is None and storage.querystring_auth
