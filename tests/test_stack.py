"""`make run` serves as production would; `make dev` keeps Django's development server.

The command lines and environment shared_platform.stack builds, read without
starting anything (the manual check in the README runs the real thing).
"""

from __future__ import annotations

from shared_platform import stack


def option(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def test_make_run_serves_with_gunicorn_sync_workers_on_the_loopback_address():
    command = stack.web_command(bind="127.0.0.1", port=8123, workers=3, dev=False)
    assert command[1:4] == ["-m", "gunicorn", "shared_platform.wsgi:application"]
    assert option(command, "--bind") == "127.0.0.1:8123"
    assert option(command, "--workers") == "3"
    # one request, and so one database connection, per worker at a time
    assert option(command, "--worker-class") == "sync"
    assert "runserver" not in command
    assert "--no-control-socket" in command  # no socket shared with other checkouts on the machine


def test_the_address_port_and_worker_count_are_configurable(monkeypatch):
    assert stack.options_parse([]).bind == "127.0.0.1"
    monkeypatch.setenv("BIND_ADDRESS", "0.0.0.0")
    monkeypatch.setenv("GUNICORN_WORKERS", "5")
    monkeypatch.setenv("PORT", "8123")
    options = stack.options_parse([])
    assert (options.bind, options.workers, options.port, options.dev) == ("0.0.0.0", 5, 8123, False)
    assert stack.options_parse(["--dev"]).dev is True


def test_make_run_turns_debug_off_and_keeps_one_connection_per_worker():
    env = stack.web_environment({"DJANGO_DEBUG": "True"}, dev=False)
    assert env["DJANGO_DEBUG"] == "False"
    assert env["DJANGO_SETTINGS_MODULE"] == "shared_platform.settings.local"
    assert "DATABASE_CONN_MAX_AGE" not in env  # persistent: gunicorn's sync workers hold one each


def test_make_dev_keeps_the_autoreloading_server_with_debug_and_no_persistent_connections():
    command = stack.web_command(bind="127.0.0.1", port=8000, workers=3, dev=True)
    env = stack.web_environment({}, dev=True)
    assert command[-2:] == ["runserver", "127.0.0.1:8000"]
    assert "--noreload" not in command
    assert env["DJANGO_DEBUG"] == "True"
    # runserver opens a thread per request, each with its own connection: none may stay open
    assert env["DATABASE_CONN_MAX_AGE"] == "0"


def test_the_local_settings_follow_the_environment_for_debug_and_connections(monkeypatch):
    import importlib

    from shared_platform.settings import base, local

    monkeypatch.setenv("DJANGO_DEBUG", "False")
    monkeypatch.setenv("DATABASE_CONN_MAX_AGE", "0")
    monkeypatch.setenv("DATABASE_URL", "postgres://user@db.example:5432/platform")
    try:
        importlib.reload(base)
        importlib.reload(local)
        assert local.DEBUG is False
        assert local.DATABASES["default"]["CONN_MAX_AGE"] == 0
    finally:
        monkeypatch.undo()
        importlib.reload(base)
        importlib.reload(local)


def test_the_makefile_has_run_and_dev():
    makefile = (stack.embedded.BASE_DIR / "Makefile").read_text()
    assert "\t$(BIN)/python -m shared_platform.stack\n" in makefile
    assert "\t$(BIN)/python -m shared_platform.stack --dev\n" in makefile
