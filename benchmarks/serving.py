"""The app as deployed, for the benchmarks that measure through real HTTP: production settings,
static files built as the Dockerfile builds them, gunicorn as the Dockerfile runs it
(config/gunicorn.py) with 2 workers."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def production_env(*, static_root: str, host: str, **extra: str) -> dict[str, str]:
    """The environment of a production process (a fresh secret; ``extra`` on top), with its
    static files collected into ``static_root``."""
    env = {
        **os.environ,
        "LONGCODE_ENV": "production",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_hex(32),
        "ALLOWED_HOSTS": host,
        "STATIC_ROOT": static_root,
        **extra,
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return env


def gunicorn_command(port: int, app: str = "config.wsgi:application") -> list[str]:
    """The production server's command line (config/gunicorn.py) serving ``app`` with 2
    workers on 127.0.0.1:``port``."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "-c",
        str(ROOT / "config" / "gunicorn.py"),
        app,
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
    ]


def gunicorn(
    env: dict[str, str], port: int, *, logs: Path | None = None
) -> subprocess.Popen[bytes]:
    """The production server (``gunicorn_command``), started (not yet answering). With ``logs``
    (a folder), its error log (worker boots, exits and timeouts) and its access log (each
    request's status and time in microseconds) are written there, to be read after the run."""
    command = gunicorn_command(port)
    if logs is not None:
        command += [
            "--error-logfile",
            str(logs / "gunicorn-error.log"),
            "--access-logfile",
            str(logs / "gunicorn-access.log"),
            "--access-logformat",
            '%(t)s %(p)s "%(r)s" %(s)s %(B)s %(D)sus',
        ]
    return subprocess.Popen(command, cwd=ROOT, env=env)
