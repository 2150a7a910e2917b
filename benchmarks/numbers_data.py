# ruff: noqa: E501 — the generating SQL reads best unwrapped.
"""Scale data for the phone-number benchmarks, generated inside PostgreSQL (generate_series),
once: a run finds rows made by an earlier run and reuses them. Not part of the test suite."""

import os
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/longcode_bench"


def setup_django() -> str:
    """Points Django at the benchmark database (creating it if missing) and migrates it."""
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("LONGCODE_ENV", "test")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    _create_database(url)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    return url


def _create_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def bench_admin(organization: Any, email: str) -> tuple[Any, Any]:
    """A person (user, membership) who is an admin of ``organization``, to sign in as."""
    from accounts.models import User
    from offices.models import Membership, Role

    user, _ = User.objects.get_or_create(email=email)
    membership, _ = Membership.objects.get_or_create(
        organization=organization, user=user, defaults={"role": Role.ADMIN}
    )
    return user, membership


def organization_with_numbers(slug: str, rows: int, *, base: int) -> int:
    """The id of organization ``slug`` holding ``rows`` numbers: 80 % single-use, 15 % dedicated,
    5 % reusable across 10 offices (with inboxes); 5 % released; 1 in 500 used by an active
    campaign; 1 % of names start like a formula. Numbers are +1 followed by ``base + n``."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM offices_organization WHERE slug = %s", [slug])
        found = cursor.fetchone()
        if found:
            cursor.execute(
                "SELECT count(*) FROM phone_numbers_phonenumber WHERE organization_id = %s",
                [found[0]],
            )
            held = cursor.fetchone()[0]
            if held != rows:
                # Kept data is never thrown away: another size needs a database of its own.
                raise SystemExit(
                    f"{slug} holds {held:,} numbers, not {rows:,}: run at the BENCH_SCALE that "
                    "made them, or point DATABASE_URL at another database."
                )
            return int(found[0])
        started = time.perf_counter()
        print(f"generating {rows:,} numbers for {slug} (once) …", flush=True)
        cursor.execute(GENERATE, {"slug": slug, "rows": rows, "base": base})
        cursor.execute("ANALYZE")
        cursor.execute("SELECT id FROM offices_organization WHERE slug = %s", [slug])
        org_id = int(cursor.fetchone()[0])
        print(f"  done in {time.perf_counter() - started:.0f} s", flush=True)
        return org_id


GENERATE = """
WITH org AS (
  INSERT INTO offices_organization (name, slug, time_zone, texting_hours_start, texting_hours_end, opt_out_message, help_message, created_at)
  VALUES (%(slug)s, %(slug)s, 'America/New_York', '09:00', '20:00', 'You are unsubscribed and will not receive more messages from us.', 'Reply STOP to unsubscribe. For help, contact us through our website.', now()) RETURNING id
), offices AS (
  INSERT INTO offices_office (organization_id, name, number_quota, idk_default, idk_message, created_at)
  SELECT org.id, 'Office ' || g, 1000, 'reply', '', now() FROM org, generate_series(0, 9) g
  RETURNING id, organization_id
), inboxes AS (
  INSERT INTO inboxes_inbox (organization_id, office_id, name, description, created_at)
  SELECT organization_id, id, 'Inbox ' || id || '-' || g, '', now()
  FROM offices, generate_series(1, 2) g RETURNING id
), use_case AS (
  INSERT INTO phone_numbers_usecase (organization_id, name, carrier_reference, state, created_at)
  SELECT id, 'Bench', '', 'active', now() FROM org RETURNING id, organization_id
)
INSERT INTO phone_numbers_phonenumber (
  organization_id, kind, e164, area_codes, use_case_id, provisioning_status, attempts,
  idempotency_key, carrier_number_id, carrier_provisioning_ref, failure_reason, requested_e164, office_id,
  name, description, agent, response_type, created_at, updated_at
)
SELECT u.organization_id,
  CASE WHEN g %% 20 = 0 THEN 'reusable' WHEN g %% 20 < 4 THEN 'dedicated' ELSE 'single_use' END,
  '+1' || (%(base)s + g)::text,
  '[]', u.id,
  CASE WHEN g %% 20 = 7 THEN 'released' WHEN g %% 20 = 8 THEN 'failed'
       WHEN g %% 20 = 9 THEN 'initiated' ELSE 'complete' END,
  1, gen_random_uuid(), '', '', '', '',
  CASE WHEN g %% 20 = 0 THEN (SELECT id FROM offices ORDER BY id OFFSET (g / 20) %% 10 LIMIT 1) END,
  CASE WHEN g %% 100 = 1 THEN '=SUM(A' || g || ')' ELSE 'Number ' || md5(g::text) END,
  'Outreach line ' || (g %% 997) || ' for term ' || (g %% 7),
  (ARRAY['Dana Diaz', 'Lee Park', 'Sam Ortiz', 'Ana Silva', ''])[1 + g %% 5],
  CASE WHEN g %% 20 = 0 THEN (ARRAY['agent', 'bot'])[1 + g %% 2] ELSE '' END,
  now() - make_interval(secs => g), now()
FROM use_case u, generate_series(1, %(rows)s) g;

INSERT INTO phone_numbers_phonenumber_inboxes (phonenumber_id, inbox_id)
SELECT p.id, i.id FROM phone_numbers_phonenumber p
JOIN offices_organization o ON o.id = p.organization_id AND o.slug = %(slug)s
JOIN inboxes_inbox i ON i.office_id = p.office_id
WHERE p.kind = 'reusable';

INSERT INTO campaigns_campaign (
  organization_id, office_id, name, status, provisioning_failed, number_choice, area_codes,
  phone_number_id, initial_message, self_assign, batch_size, contact_fields, launched_at,
  created_at, updated_at, invite_enabled, idk
)
SELECT p.organization_id, (SELECT min(id) FROM offices_office f WHERE f.organization_id = p.organization_id),
  'Campaign ' || p.id, 'active', false, p.kind, '[]', p.id, '', false, 100, '[]', now(), now(), now(), false, 'agent'
FROM phone_numbers_phonenumber p
JOIN offices_organization o ON o.id = p.organization_id AND o.slug = %(slug)s
WHERE p.id %% 500 = 3 AND p.provisioning_status = 'complete';
"""
