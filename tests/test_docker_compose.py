"""docker/compose.yaml and docker/Dockerfile, read as files (Docker does not run here).

No database and no Django models: the compose file is parsed with PyYAML and
the settings modules are read as text, so a setting renamed in
shared_platform/settings without the compose file following fails here.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCKER_DIR = ROOT / "docker"
COMPOSE_FILE = DOCKER_DIR / "compose.yaml"
DOCKERFILE = DOCKER_DIR / "Dockerfile"
ENTRYPOINT = DOCKER_DIR / "entrypoint.sh"
SETTINGS_DIR = ROOT / "shared_platform" / "settings"

APP_SERVICES = ("web", "worker", "beat")
# Read outside shared_platform/settings: manage.py/wsgi.py/celery.py, the gunicorn
# command line and docker/entrypoint.sh.
READ_ELSEWHERE = {"DJANGO_SETTINGS_MODULE", "GUNICORN_WORKERS", "RUN_MIGRATIONS"}

# env("NAME", ...), env.bool("NAME", ...), env.db("NAME", ...) and the other django-environ readers.
ENV_READ = re.compile(r"\benv(?:\.[a-z_]+)?\(\s*[\"']([A-Za-z_][A-Za-z0-9_]*)[\"']")
# Compose interpolation: ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME?error}.
INTERPOLATION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")


def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def service(name: str) -> dict:
    return compose()["services"][name]


def with_defaults(value: str) -> str:
    """The value as Compose renders it when no variable is set (required ones become "<NAME>")."""

    def render(match: re.Match[str]) -> str:
        name, operator, argument = match.groups()
        if operator in (":-", "-"):
            return argument
        return f"<{name}>"

    return INTERPOLATION.sub(render, value)


def environment(service_definition: dict) -> dict[str, str]:
    """A service's environment as a dict, whether written as a mapping or as KEY=VALUE items."""
    raw = service_definition.get("environment") or {}
    if isinstance(raw, list):
        raw = dict(item.split("=", 1) if "=" in item else (item, "") for item in raw)
    return {str(key): "" if value is None else str(value) for key, value in raw.items()}


def command(service_definition: dict) -> list[str]:
    raw = service_definition.get("command") or []
    return shlex.split(raw) if isinstance(raw, str) else [str(part) for part in raw]


def depends_on(service_definition: dict) -> dict[str, str]:
    """Dependency -> condition (the short list form means service_started)."""
    raw = service_definition.get("depends_on") or {}
    if isinstance(raw, list):
        return dict.fromkeys(raw, "service_started")
    return {name: (options or {}).get("condition", "service_started") for name, options in raw.items()}


def names_the_settings_read() -> set[str]:
    names: set[str] = set()
    for module in sorted(SETTINGS_DIR.glob("*.py")):
        names.update(ENV_READ.findall(module.read_text()))
    return names


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with continuation lines joined and comments dropped."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for line in DOCKERFILE.read_text().splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        keyword, _, arguments = (pending + stripped).partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        pending = ""
    return instructions


def dockerfile_arguments(keyword: str) -> list[str]:
    return [arguments for instruction, arguments in dockerfile_instructions() if instruction == keyword]


# --- Compose: the services -----------------------------------------------------


def test_compose_defines_database_redis_web_worker_and_beat():
    # Given the compose file, when parsed, then all five services are there.
    assert {"db", "redis", *APP_SERVICES} <= set(compose()["services"])


def test_database_is_postgres_16_with_a_named_volume_and_a_pg_isready_healthcheck():
    db = service("db")
    assert db["image"].startswith("postgres:16")
    named_volumes = set(compose().get("volumes") or {})
    mounted = {str(volume).split(":", 1)[0] for volume in db.get("volumes", [])}
    assert mounted & named_volumes, "the database must keep its data in a named volume"
    assert "pg_isready" in " ".join(map(str, db["healthcheck"]["test"]))


def test_redis_is_redis_7_with_a_ping_healthcheck():
    redis = service("redis")
    assert redis["image"].startswith("redis:7")
    assert "redis-cli ping" in " ".join(map(str, redis["healthcheck"]["test"]))


def test_app_services_are_built_from_docker_dockerfile_at_the_repository_root():
    for name in APP_SERVICES:
        build = service(name).get("build")
        # When the build is a mapping, its context is the repository root and its Dockerfile ours.
        assert isinstance(build, dict), f"{name} has no build section"
        assert (COMPOSE_FILE.parent / build.get("context", ".")).resolve() == ROOT, name
        assert build.get("dockerfile") == "docker/Dockerfile", name


def test_web_runs_gunicorn_on_the_wsgi_application_on_port_8000():
    web = service("web")
    parts = command(web)
    assert parts[0] == "gunicorn"
    assert "shared_platform.wsgi:application" in parts
    assert "0.0.0.0:8000" in parts
    assert any(str(port).endswith("8000:8000") for port in web.get("ports", []))


def test_worker_runs_a_celery_worker_for_the_shared_platform_app():
    parts = command(service("worker"))
    assert parts[0] == "celery"
    assert parts[parts.index("-A") + 1] == "shared_platform"
    assert "worker" in parts


def test_beat_runs_celery_beat_with_the_tenant_aware_scheduler():
    parts = command(service("beat"))
    assert parts[0] == "celery"
    assert parts[parts.index("-A") + 1] == "shared_platform"
    assert "beat" in parts
    scheduler_flag = "-S" if "-S" in parts else "--scheduler"
    assert parts[parts.index(scheduler_flag) + 1] == "tenant_schemas_celery.scheduler.TenantAwareScheduler"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_wait_for_a_healthy_database_and_redis(name):
    dependencies = depends_on(service(name))
    assert dependencies.get("db") == "service_healthy"
    assert dependencies.get("redis") == "service_healthy"


# --- Compose: the environment --------------------------------------------------


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_use_production_settings_and_the_compose_database_and_redis(name):
    # Given the service's environment as Compose renders it with nothing set,
    env = {key: with_defaults(value) for key, value in environment(service(name)).items()}
    # then it runs the production settings against the db and redis services.
    assert env["DJANGO_SETTINGS_MODULE"] == "shared_platform.settings.production"
    database = urlsplit(env["DATABASE_URL"])
    assert database.scheme in {"postgres", "postgresql", "pgsql"}
    assert database.hostname == "db"
    redis = urlsplit(env["REDIS_URL"])
    assert redis.scheme == "redis"
    assert redis.hostname == "redis"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_secret_key_must_be_supplied_and_has_no_default_in_compose(name):
    value = environment(service(name))["DJANGO_SECRET_KEY"]
    # ${DJANGO_SECRET_KEY:?...}: Compose refuses to start without it; no key is written in the file.
    assert re.fullmatch(r"\$\{DJANGO_SECRET_KEY:?\?[^}]*\}", value), value


@pytest.mark.parametrize("name", APP_SERVICES)
def test_every_variable_compose_sets_is_one_the_app_reads(name):
    # Given the names read in shared_platform/settings/*.py,
    read = names_the_settings_read() | READ_ELSEWHERE
    # when a setting is renamed there (or a name is misspelt in compose),
    unread = set(environment(service(name))) - read
    # then compose would set a variable nobody reads: fail and name it.
    assert not unread, f"{name} sets variables the settings do not read: {sorted(unread)}"


def test_settings_scan_finds_the_variables_it_is_meant_to_find():
    # Guards the test above against a regex that silently finds nothing.
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL", "BASE_DOMAIN", "MEDIA_ROOT"} <= names_the_settings_read()


def test_web_worker_and_beat_share_one_environment():
    environments = {name: environment(service(name)) for name in APP_SERVICES}
    web_without_migrations = {key: value for key, value in environments["web"].items() if key != "RUN_MIGRATIONS"}
    assert environments["worker"] == environments["beat"] == web_without_migrations


def test_only_web_runs_migrations():
    # Two containers migrating the same schemas at once would race.
    assert environment(service("web")).get("RUN_MIGRATIONS") == "1"
    for name in ("worker", "beat"):
        assert environment(service(name)).get("RUN_MIGRATIONS", "0") != "1", name


@pytest.mark.parametrize("name", APP_SERVICES)
def test_uploaded_files_live_on_the_media_volume_at_media_root(name):
    definition = service(name)
    media_root = environment(definition)["MEDIA_ROOT"]
    assert "media" in (compose().get("volumes") or {})
    assert f"media:{media_root}" in [str(volume) for volume in definition.get("volumes", [])]


# --- Dockerfile and entrypoint -------------------------------------------------


def test_image_is_python_3_11_slim():
    assert dockerfile_arguments("FROM")[0].startswith("python:3.11-slim")


def test_image_installs_requirements_txt_with_pip():
    assert any("requirements.txt" in arguments for arguments in dockerfile_arguments("COPY"))
    assert any("pip install" in run and "requirements" in run and "-r" in run for run in dockerfile_arguments("RUN"))


def test_image_installs_the_libraries_weasyprint_loads():
    installs = " ".join(dockerfile_arguments("RUN"))
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz0b", "shared-mime-info"):
        assert package in installs, package


def test_static_files_are_collected_at_build_time():
    assert any("collectstatic" in run for run in dockerfile_arguments("RUN"))


def test_container_runs_as_a_non_root_user():
    users = dockerfile_arguments("USER")
    assert users, "the Dockerfile has no USER line"
    user = users[-1].split(":", 1)[0]
    assert user not in {"root", "0"}


def test_default_command_is_gunicorn_on_the_wsgi_application():
    cmd = dockerfile_arguments("CMD")[-1]
    assert "gunicorn" in cmd
    assert "shared_platform.wsgi:application" in cmd
    assert "GUNICORN_WORKERS" in cmd


def test_entrypoint_is_posix_sh_migrates_only_when_asked_and_execs_the_command():
    script = ENTRYPOINT.read_text()
    assert script.startswith("#!/bin/sh\n")
    assert re.search(r"^set -eu$", script, re.MULTILINE)
    assert "RUN_MIGRATIONS" in script
    assert "migrate_schemas --noinput" in script
    assert script.rstrip().endswith('exec "$@"')
    assert any("docker/entrypoint.sh" in arguments for arguments in dockerfile_arguments("ENTRYPOINT"))
