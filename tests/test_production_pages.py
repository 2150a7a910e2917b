"""The production image's pages: static files built with the production settings (a manifest of
hashed names, as the Dockerfile builds them), then pages rendered with those settings and DEBUG
off — the login page, a signed-in page, and the branded 403, 404 and 500 pages."""

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
HASHED_CSS = re.compile(r'href="/static/css/app\.[0-9a-f]{12}\.css"')
HASHED_FAVICON = re.compile(r'href="/static/favicon\.[0-9a-f]{12}\.svg"')

RENDER = """
import json, sys
import django
django.setup()
from django.test import Client, RequestFactory
from django.views.defaults import server_error
from accounts.models import User

def get(client, path):
    response = client.get(path, secure=True, headers={"host": "longcode.example"})
    return [response.status_code, response.content.decode()]

anonymous = Client()
admin, sender = Client(), Client()
admin.force_login(User.objects.get(email=sys.argv[1]))
sender.force_login(User.objects.get(email=sys.argv[2]))
# Django calls this view, with no request context, when a page raises.
broken = server_error(RequestFactory().get("/"))
print(json.dumps({
    "login": get(anonymous, "/accounts/login/"),
    "campaigns": get(admin, "/campaigns/"),
    "missing": get(admin, "/no-such-page/"),
    "forbidden": get(sender, "/numbers/"),
    "server_error": [broken.status_code, broken.content.decode()],
}))
"""


def _env(**settings: str) -> dict[str, str]:
    unset = {"DEBUG", "LONGCODE_ENV", "SECRET_KEY", "ALLOWED_HOSTS", "EMAIL_URL"}
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    # The test database, where the fixtures wrote the people who sign in.
    test_db = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + connection.settings_dict["NAME"]
    return {**clean, "DATABASE_URL": test_db, **settings}


def _dockerfile_collectstatic_env() -> dict[str, str]:
    """The variables the Dockerfile gives its collectstatic step."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    [step] = [
        line for line in text.splitlines() if line.startswith("RUN") and "collectstatic" in line
    ]
    return dict(
        token.split("=", 1) for token in shlex.split(step)[1:] if re.match(r"[A-Z_]+=", token)
    )


def _run(args: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_production_pages_render_with_the_built_manifest(transactional_db, cast, tmp_path):
    # Built as the image builds it, then served with the production settings.
    build = _env(**_dockerfile_collectstatic_env(), STATIC_ROOT=str(tmp_path))
    _run([sys.executable, "manage.py", "collectstatic", "--noinput"], build)
    assert (tmp_path / "staticfiles.json").is_file()
    env = _env(
        LONGCODE_ENV="production",
        SECRET_KEY="p" * 60,
        ALLOWED_HOSTS="longcode.example",
        EMAIL_URL="smtp://mail.longcode.example:587",
        STATIC_ROOT=str(tmp_path),
    )
    rendered = _run([sys.executable, "-c", RENDER, cast.alice.email, cast.sam.email], env)
    pages = {name: (status, body) for name, (status, body) in json.loads(rendered).items()}

    assert pages["login"][0] == 200
    assert "Sign in to Longcode" in pages["login"][1]
    assert pages["campaigns"][0] == 200
    assert "Acme College" in pages["campaigns"][1]
    # The branded error pages, DEBUG off.
    for page, status, heading in [
        ("missing", 404, "There is nothing here"),
        ("forbidden", 403, "You cannot open this page"),
        ("server_error", 500, "Something went wrong on our side"),
    ]:
        assert pages[page][0] == status, page
        assert f"<h1>{heading}</h1>" in pages[page][1]
        assert "Traceback" not in pages[page][1]
    for page, (_, body) in pages.items():
        assert HASHED_CSS.search(body), page
        assert HASHED_FAVICON.search(body), page
