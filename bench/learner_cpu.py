"""CPU cost per request of the learner pages, in-process (no gunicorn, no wrk): a steadier figure than
requests/s on a loaded machine.

Runs with bench/pages.py's production-like settings against a database built by setup_demo
(CPU_DATABASE_URL; unset: a throwaway one like bench/pages.py's, built and dropped) and a Redis db
(CPU_REDIS_URL, default redis://127.0.0.1:6379/10, flushed first). The demo learner is enrolled; each
page (bench/pages.py's list, minimal views included) is fetched CPU_WARMUP times, then CPU_N times in
each of CPU_ROUNDS rounds, timed with time.process_time, and the fastest round is reported (this
process only: PostgreSQL's and Redis's own CPU is not counted, the client side of their round trips
is). BENCH_QUICK=1: 5 requests, one round. Exits non-zero when any request does not answer 200.
CPU_SQL=1 prints each page's queries. CPU_PROFILE=<label substring> profiles that page: with
CPU_CPROFILE=<sort key> cProfile on CPU time, else pyinstrument (not a project dependency).
"""

import os
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

import pages  # noqa: E402


def main() -> int:
    database_url = os.environ.get("CPU_DATABASE_URL", "")
    cleanup = None
    if not database_url:
        os.environ.setdefault("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
        database_url, cleanup = pages._throwaway.throwaway_database("bodywork_perf_cpu")
    try:
        return measure(database_url, reuse=cleanup is None)
    finally:
        if cleanup is not None:
            cleanup()


def measure(database_url: str, *, reuse: bool) -> int:
    pages.REDIS_URL = os.environ.get("CPU_REDIS_URL", "redis://127.0.0.1:6379/10")
    n = int(os.environ.get("CPU_N", "5" if pages.QUICK else "200"))
    warmup = int(os.environ.get("CPU_WARMUP", "1" if pages.QUICK else "5"))
    os.environ.update(pages.environment(database_url))
    pages.redis_flush()
    info = pages.build(database_url, reuse=reuse)
    from django.db import connection
    from django.test import Client

    cookie_name, _, value = info["cookie"].partition("=")
    wanted = os.environ.get("CPU_PROFILE")
    print(f"{'page':28} {'ms CPU/req':>10} {'queries':>8}")
    for label, path, logged_in, text in info["pages"]:
        client = Client()
        if logged_in:
            client.cookies[cookie_name] = value
        for _ in range(warmup):
            response = client.get(path)
        if response.status_code != 200 or text not in response.content.decode():
            print(f"learner_cpu: {label} ({path}) answered {response.status_code} without {text!r}")
            return 1
        fresh = os.environ.get("CPU_FRESH_CLIENT")  # like wrk: only the session cookie, nothing kept

        def fetch(client=client, path=path, logged_in=logged_in, fresh=fresh):
            if fresh:
                client.cookies.clear()
                if logged_in:
                    client.cookies[cookie_name] = value
            response = client.get(path)
            if response.status_code != 200:
                raise SystemExit(f"learner_cpu: {path} answered {response.status_code}")
            return response

        queries = []
        with connection.execute_wrapper(
            lambda execute, sql, *a, queries=queries: queries.append(sql) or execute(sql, *a)
        ):
            fetch()
        rounds = []
        for _ in range(int(os.environ.get("CPU_ROUNDS", "1" if pages.QUICK else "5"))):
            started = time.process_time()
            for _ in range(n):
                fetch()
            rounds.append((time.process_time() - started) * 1000 / n)
        ms = min(rounds)  # the least disturbed round (other processes share the CPU caches)
        print(f"{label:28} {ms:10.2f} {len(queries):8d}", flush=True)
        if os.environ.get("CPU_SQL"):
            for sql in queries:
                print("   ", sql[:160])
        if wanted and wanted in label and os.environ.get("CPU_CPROFILE"):
            import cProfile
            import pstats

            profile = cProfile.Profile(time.process_time)
            profile.enable()
            for _ in range(n):
                client.get(path)
            profile.disable()
            pstats.Stats(profile).sort_stats(os.environ["CPU_CPROFILE"]).print_stats(60)
        elif wanted and wanted in label:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005)
            profiler.start()
            for _ in range(n):
                client.get(path)
            profiler.stop()
            print(profiler.output_text(unicode=False, color=False, show_all=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
