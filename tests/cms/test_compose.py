"""docker-compose.yml, .env.example, the Dockerfile and .dockerignore, checked without a Docker engine.

`docker-compose config` (Debian's docker-compose, installed by .ci/system-deps.sh) validates the file
with an .env made from .env.example and prints it resolved (anchors merged, variables filled in); the
tests read that. tests/cms/test_native_stack.py runs the same commands natively.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = {"migrate", "web", "worker", "beat"}


def _compose(tmp_path, *args) -> subprocess.CompletedProcess:
    binary = shutil.which("docker-compose")
    assert binary, "docker-compose is missing: run `make system-deps` (Debian package docker-compose)"
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)}  # nothing from the caller's environment
    return subprocess.run(
        [binary, "-f", "docker-compose.yml", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def config(tmp_path_factory) -> dict:
    directory = tmp_path_factory.mktemp("compose")
    shutil.copy(ROOT / "docker-compose.yml", directory)
    shutil.copy(ROOT / ".env.example", directory / ".env")
    quiet = _compose(directory, "config", "-q")
    assert quiet.returncode == 0 and quiet.stdout == "", quiet.stdout + quiet.stderr
    assert "WARNING" not in quiet.stderr.upper(), quiet.stderr  # e.g. "The X variable is not set"
    resolved = _compose(directory, "config")
    assert resolved.returncode == 0, resolved.stderr
    return yaml.safe_load(resolved.stdout)


def volumes_of(service: dict) -> dict[str, str]:
    """{volume name: mount point} of a service's named volumes."""
    mounts = {}
    for volume in service.get("volumes", []):
        if isinstance(volume, str):
            source, target = volume.split(":")[:2]
        else:
            source, target = volume["source"], volume["target"]
        mounts[source] = target
    return mounts


def test_compose_services_healthchecks_and_start_order(config):
    services = config["services"]
    assert set(services) == {"db", "redis", "minio", "minio-init", *APP_SERVICES}
    for name in ("db", "redis", "minio", "web", "worker"):
        assert services[name]["healthcheck"]["test"], name
    for name in APP_SERVICES:
        depends = services[name]["depends_on"]
        assert depends["db"]["condition"] == "service_healthy", name
        assert depends["redis"]["condition"] == "service_healthy", name
        assert depends["minio-init"]["condition"] == "service_completed_successfully", name
        if name != "migrate":
            assert depends["migrate"]["condition"] == "service_completed_successfully", name
    assert services["migrate"]["restart"] == "no"
    assert (
        services["migrate"]["command"][-1]
        == "python manage.py migrate --noinput && python manage.py setup_demo"
    )
    web = services["web"]
    assert web["command"][:4] == ["gunicorn", "cms.wsgi", "--bind", "0.0.0.0:8000"]
    published = web["ports"][0] if isinstance(web["ports"][0], dict) else {"published": web["ports"][0]}
    assert str(published["published"]).split(":")[0] == "8000" and len(web["ports"]) == 1
    assert "127.0.0.1:8000/healthz/" in " ".join(web["healthcheck"]["test"])
    assert services["worker"]["command"][:4] == ["celery", "-A", "cms", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "cms", "beat"]
    # No step waits by sleeping: the start order is the healthchecks' business.
    for name, service in services.items():
        text = " ".join(map(str, service.get("command", []))) + " ".join(
            service.get("healthcheck", {}).get("test", [])
        )
        assert not re.search(r"\bsleep\b", text), name


def test_replicas_share_nothing_on_disk_files_are_in_minio(config):
    """Issue 14 item 7: `--scale web=3 --scale worker=4` works because no app container keeps a file."""
    services = config["services"]
    assert set(config["volumes"]) == {"pgdata", "redisdata", "miniodata"}
    assert volumes_of(services["db"])["pgdata"] == "/var/lib/postgresql/data"
    assert volumes_of(services["redis"])["redisdata"] == "/data"
    minio = services["minio"]
    assert volumes_of(minio)["miniodata"] == "/data" and minio["command"] == ["server", "/data"]
    assert minio["healthcheck"]["test"] == ["CMD", "mc", "ready", "local"]
    assert ":latest" not in minio["image"] and ":" in minio["image"]  # pinned
    init = services["minio-init"]
    assert init["depends_on"]["minio"]["condition"] == "service_healthy" and init["restart"] == "no"
    script = " ".join(init["command"])
    assert "mc mb --ignore-existing store/bodywork-media store/bodywork-private" in script
    # images are public; documents (lesson captions) are not: only Wagtail's document view streams them
    public = re.findall(r"mc anonymous set download (\S+)", script)
    assert sorted(public) == ["store/bodywork-media/images", "store/bodywork-media/original_images"]
    assert "mc anonymous set none store/bodywork-media " in script
    assert "mc anonymous set none store/bodywork-private" in script  # no public access at all
    assert init["environment"] == minio["environment"]
    for name in APP_SERVICES:
        service, env = services[name], services[name]["environment"]
        assert not service.get("volumes"), name  # nothing on disk
        assert env["S3_PRIVATE_BUCKET"] == "bodywork-private" and env["S3_MEDIA_BUCKET"] == "bodywork-media"
        assert env["S3_ENDPOINT_URL"] == "http://minio:9000" and env["S3_ADDRESSING_STYLE"] == "path"
        assert env["S3_MEDIA_URL"] == "http://localhost:9000/bodywork-media"
        assert env["S3_PUBLIC_ENDPOINT_URL"] == "http://localhost:9000"
        assert env["AWS_ACCESS_KEY_ID"] == minio["environment"]["MINIO_ROOT_USER"], name
        assert env["AWS_SECRET_ACCESS_KEY"] == minio["environment"]["MINIO_ROOT_PASSWORD"], name
        assert service["build"] == services["web"]["build"], name
        assert env == services["web"]["environment"], name  # one configuration for all four
    assert not services["web"].get("container_name") and not services["worker"].get("container_name")


def test_scaled_web_replicas_get_ports_of_their_own(tmp_path):
    """The README's `WEB_PORTS=8000-8002 docker compose up --scale web=3 --scale worker=4`."""
    shutil.copy(ROOT / "docker-compose.yml", tmp_path)
    (tmp_path / ".env").write_text((ROOT / ".env.example").read_text() + "\nWEB_PORTS=8000-8002\n")
    resolved = _compose(tmp_path, "config")
    assert resolved.returncode == 0, resolved.stderr
    (port,) = yaml.safe_load(resolved.stdout)["services"]["web"]["ports"]
    published = port["published"] if isinstance(port, dict) else port.split(":")[0]
    assert str(published) == "8000-8002"
    readme = (ROOT / "README.md").read_text()
    assert "WEB_PORTS=8000-8002 docker compose up --scale web=3 --scale worker=4" in readme


def test_compose_passes_env_example_to_the_app(config):
    env = config["services"]["web"]["environment"]
    assert env["DATABASE_URL"].startswith("postgres://bodywork:") and env["DATABASE_URL"].endswith(
        "@db:5432/bodywork"
    )
    assert env["REDIS_URL"].startswith("redis://redis:6379/")
    # the broker apart from the cache (issue 11): either can move, and the cache is best-effort
    assert env["CELERY_BROKER_URL"].startswith("redis://redis:6379/")
    assert env["CELERY_BROKER_URL"] != env["REDIS_URL"]
    assert env["SECURE_SSL_REDIRECT"] == "false" and env["TRUSTED_PROXY_COUNT"] == "0"
    assert config["services"]["db"]["environment"]["POSTGRES_PASSWORD"] == env["POSTGRES_PASSWORD"]


def _variables_read(path: Path) -> set[str]:
    text = path.read_text()
    patterns = (
        r'os\.environ\.get\(\s*"([A-Z0-9_]+)"',
        r'os\.environ\[\s*"([A-Z0-9_]+)"\s*\]',
        r'"([A-Z0-9_]+)"\s+(?:not\s+)?in\s+os\.environ',
    )
    return {name for pattern in patterns for name in re.findall(pattern, text)}


def test_env_example_mentions_every_variable_production_reads():
    sources = [ROOT / "cms/settings/base.py", ROOT / "cms/settings/production.py", ROOT / "cms/demo.py"]
    read = set().union(*map(_variables_read, sources))
    assert {
        "SECRET_KEY",
        "TRUSTED_PROXY_COUNT",
        "PRIVATE_MEDIA_ROOT",
        "S3_PRIVATE_BUCKET",
        "S3_PUBLIC_ENDPOINT_URL",
        "PRIVATE_URL_EXPIRE_SECONDS",
        "DEMO_PASSWORD",
        "CERTIFICATE_SWEEP_SECONDS",
    } <= read
    example = (ROOT / ".env.example").read_text()
    missing = sorted(name for name in read if not re.search(rf"\b{name}\b", example))
    assert missing == [], f"add to .env.example (with a comment if it is optional): {missing}"


def test_dockerfile_matches_the_stack():
    dockerfile = (ROOT / "Dockerfile").read_text()
    instructions = re.sub(r"\\\n", " ", dockerfile)
    assert re.search(r"^FROM python:3\.1[1-9]", instructions, re.M)
    # The Debian packages certificates need (Pango, HarfBuzz, the fonts) are those CI installs.
    ci = (ROOT / ".ci/system-deps.sh").read_text()
    ci_packages = set(re.search(r"packages=\(([^)]*)\)", ci).group(1).split())
    needed = ci_packages - {"chromium", "poppler-utils", "docker-compose"}
    assert needed and all(re.search(rf"\b{re.escape(p)}\b", instructions) for p in needed), needed
    # Static files are collected at build time with a throwaway key, not at start.
    collect = r"^RUN SECRET_KEY=\S+ ALLOWED_HOSTS=\S+ python manage.py collectstatic --noinput"
    assert re.search(collect, instructions, re.M)
    # The mount points exist in the image, owned by the user that runs (named volumes copy that ownership).
    assert "mkdir -p /app/media /app/private" in instructions
    assert "chown app:app /app/media /app/private" in instructions
    users = re.findall(r"^USER (\S+)", instructions, re.M)
    assert users and users[-1] not in ("root", "0")
    for source in re.findall(r"^COPY (\S+)", instructions, re.M):
        assert (ROOT / source).exists(), source
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".env", ".venv", ".git", "db.sqlite3", "media", "media-private"} <= set(ignored)
