"""Benchmark: CE certificates issued per second through Celery and Redis, next to the raw PDF render rate.

Self-contained: a throwaway database (SQLite file by default; with BENCH_DATABASE_URL=postgres://user@host:port/x
it creates and later drops a fresh PostgreSQL database there), migrated, with BENCH_CERTIFICATES pending
certificates (learners who completed a course). It then
  1. renders BENCH_RENDERS PDFs in this process (WeasyPrint, the classic template; Latin and CJK names),
  2. starts a real worker (`celery -A cms worker`, prefork, BENCH_CONCURRENCY processes) on a Redis database of
     its own, queues every certificate and times until all are issued (render, private file, e-mail, row).
Prints the figures and asserts no target; exits non-zero when a render or a task fails (a certificate not
issued in time, or issued without its PDF). BENCH_QUICK=1 (CI): 2 certificates, one render of each name.
Always stops its worker and removes what it made.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import _throwaway  # noqa: E402

QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
CERTIFICATES = int(os.environ.get("BENCH_CERTIFICATES", "2" if QUICK else "60"))
RENDERS = int(os.environ.get("BENCH_RENDERS", "1" if QUICK else "20"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "2"))
BASE_URL = "https://ce.example.com"  # the raw renders print links on this address (no site is looked up)


def throwaway_database():
    # Two worker processes write at once: IMMEDIATE transactions queue for the write lock (and wait up to
    # 30 s) instead of deadlocking when both upgrade a read to a write ("database is locked").
    return _throwaway.migrated_database("bench_cert", "?transaction_mode=IMMEDIATE&timeout=30")


def setup_django(database_url: str, private_root: str):
    os.environ["DJANGO_SETTINGS_MODULE"] = "cms.settings.test"
    os.environ["DATABASE_URL"] = database_url
    os.environ["PRIVATE_MEDIA_ROOT"] = private_root
    import django

    django.setup()
    from django.conf import settings

    settings.PRIVATE_MEDIA_ROOT = private_root


def pending_certificates(n: int) -> list[int]:
    """A provider, a course and `n` learners whose completion created a pending certificate."""
    from decimal import Decimal

    from django.utils import timezone

    from cms.models import User
    from cms.services import site_tree_ensure
    from courses.certificates import certificate_code_new, certificate_snapshot
    from courses.models import Certificate, CoursePage, Enrollment, Provider

    _, catalogue = site_tree_ensure()
    provider = Provider.objects.create(
        name="Carolina Bodywork Education",
        ncbtmb_provider_number="451234-10",
        email="ce@example.com",
        address="12 Example Street\nDurham, NC 27701",
        signatory_name="Dana Whitfield, LMBT",
        signatory_title="Education Director",
    )
    course = catalogue.add_child(
        instance=CoursePage(
            title="Massage for Low Back Pain",
            slug="bench-course",
            ce_hours=Decimal("3.00"),
            provider=provider,
            approved_title="Massage for Low Back Pain: Anatomy, Referred Pain and Red Flags",
        )
    )
    now = timezone.now()
    ids = []
    for i in range(n):
        user = User.objects.create(
            username=f"bench{i}",
            email=f"bench{i}@example.com",
            legal_name=f"Bench Learner {i} Ångström",
            license_number=f"MT-{i:05d}",
            license_state="NC",
        )
        enrollment = Enrollment.objects.create(
            user=user, course=course, status=Enrollment.Status.COMPLETED, completed_at=now
        )
        ids.append(
            Certificate.objects.create(
                enrollment=enrollment,
                code=certificate_code_new(),
                snapshot=certificate_snapshot(enrollment, completed_at=now),
            ).pk
        )
    return ids


def raw_render(snapshot: dict) -> dict:
    from courses.certificates import certificate_code_new, certificate_pdf

    results = {}
    for label, name in (("Latin", snapshot["participant_name"]), ("CJK", "山田 花子")):
        certificate_pdf(
            {**snapshot, "participant_name": name}, certificate_code_new(), base_url=BASE_URL
        )  # warm the fonts
        times, sizes = [], []
        for _ in range(RENDERS):
            start = time.perf_counter()
            pdf = certificate_pdf(
                {**snapshot, "participant_name": name}, certificate_code_new(), base_url=BASE_URL
            )
            times.append(time.perf_counter() - start)
            sizes.append(len(pdf))
        results[label] = (statistics.median(times), statistics.mean(sizes))
    return results


def through_celery(ids: list[int], database_url: str, private_root: str) -> tuple[float, int]:
    import redis

    from courses.models import Certificate
    from courses.tasks import issue_certificate
    from tests.courses.celery_worker import (
        celery_sender,
        queue_name,
        redis_url,
        wait_for,
        worker_output,
        worker_start,
        worker_stop,
    )

    warm, timed = ids[:CONCURRENCY], ids[CONCURRENCY:]
    queue = queue_name()
    with redis_url() as broker, celery_sender(broker, queue):
        worker = worker_start(
            broker=broker,
            database_url=database_url,
            private_root=private_root,
            queue=queue,
            concurrency=CONCURRENCY,
        )
        try:
            for pk in warm:  # worker start-up and font loading are not part of the rate
                issue_certificate.delay(pk)
            wait_for(
                lambda: Certificate.objects.filter(pk__in=warm, status="issued").count() == len(warm),
                timeout=120,
                process=worker,
            )
            start = time.perf_counter()
            for pk in timed:
                issue_certificate.delay(pk)
            wait_for(
                lambda: Certificate.objects.filter(pk__in=timed, status="issued").count() == len(timed),
                timeout=600,
                interval=0.05,
                process=worker,
            )
            elapsed = time.perf_counter() - start
            assert redis.Redis.from_url(broker).llen(queue) == 0
        except BaseException:
            from django.db.models import Count

            print(worker_output(worker)[-4000:])
            print(
                "statuses:",
                dict(Certificate.objects.values_list("status").annotate(n=Count("pk"))),
                "queued:",
                redis.Redis.from_url(broker).llen(queue),
            )
            for row in Certificate.objects.exclude(last_error="").values_list("pk", "status", "last_error")[
                :5
            ]:
                print(row)
            raise
        finally:
            worker_stop(worker)
    return elapsed, len(timed)


def main() -> int:
    database_url, cleanup = throwaway_database()
    private = tempfile.mkdtemp(prefix="bench-cert-private-")
    try:
        setup_django(database_url, private)
        ids = pending_certificates(CERTIFICATES + CONCURRENCY)
        from courses.models import Certificate

        snapshot = Certificate.objects.get(pk=ids[0]).snapshot
        raw = raw_render(snapshot)
        elapsed, count = through_celery(ids, database_url, private)
        sizes = [p.stat().st_size for p in Path(private).rglob("*.pdf")]
        issued = Certificate.objects.filter(pk__in=ids, status="issued").exclude(pdf="").count()
        if issued != len(ids) or len(sizes) != len(ids) or not all(sizes):
            print(f"certificates: {issued} of {len(ids)} issued with a PDF, {len(sizes)} PDF files on disk")
            return 1
        vendor = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
        print(f"database: {vendor}; worker: prefork x{CONCURRENCY}; certificates timed: {count}")
        for label, (median, size) in raw.items():
            print(
                f"raw render ({label} name): {median * 1000:.1f} ms median, {1 / median:.1f} PDFs/s in one "
                f"process, {size / 1024:.1f} KiB"
            )
        print(
            f"through Celery + Redis: {count / elapsed:.1f} certificates/s ({elapsed:.2f} s for {count}: "
            "render, private file, row, e-mail)"
        )
        print(f"issued PDFs on disk: {len(sizes)}, mean {statistics.mean(sizes) / 1024:.1f} KiB")
        return 0
    finally:
        from django.db import connections

        connections.close_all()
        cleanup()
        import shutil

        shutil.rmtree(private, ignore_errors=True)


if __name__ == "__main__":
    import signal

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the clean-up (stop the worker) on kill
    sys.exit(main())
