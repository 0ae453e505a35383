"""Production settings: no default secret, no DEBUG, check --deploy clean."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def manage(*args, **env):
    clean_env = {
        k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean_env, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_it_refuses_to_start_without_debug_on_the_default_secret():
    result = manage("check")
    assert result.returncode != 0
    assert "Refusing to start without a real SECRET_KEY while DEBUG is off" in result.stderr


def test_it_refuses_a_short_secret_key():
    result = manage("check", SECRET_KEY="short")
    assert result.returncode != 0
    assert "Refusing to start" in result.stderr


def test_a_malformed_boolean_fails_loudly():
    result = manage("check", DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be one of" in result.stderr


def test_check_deploy_is_clean_with_production_settings():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="hamish.example.org",
        DEBUG="0",
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


def test_production_cookies_are_secure_and_http_only():
    code = (
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_HTTPONLY)"
    )
    result = manage("shell", "--no-imports", "-c", code, SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="x.org")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "True", "True", "True"]


@pytest.mark.parametrize(
    "weak_key",
    [
        " " * 60,  # whitespace only: stripped, nothing is left
        "a" * 60,  # long, but one distinct character
        "abcd" * 15,  # four distinct characters
        secrets.token_urlsafe(30)[:40],  # random, but shorter than 50
        "django-insecure-" + secrets.token_urlsafe(50),  # startproject's kind of key
        "  " + secrets.token_urlsafe(50)[:45] + "\n",  # 50 only with the whitespace around it
    ],
    ids=["spaces", "one-character", "four-characters", "short", "django-insecure", "padded"],
)
def test_it_refuses_a_secret_key_check_deploy_would_call_weak(weak_key):
    result = manage("check", SECRET_KEY=weak_key, ALLOWED_HOSTS="x.org")
    assert result.returncode != 0
    assert "Refusing to start" in result.stderr


def test_the_busy_timeout_is_a_few_seconds_and_configurable():
    code = "from django.conf import settings as s; o = s.DATABASES['default']['OPTIONS']; print(o['timeout'], o['init_command'])"
    default = manage("shell", "--no-imports", "-c", code, DEBUG="1", DATABASE_URL="")
    assert default.returncode == 0, default.stderr
    assert default.stdout.split()[0] == "5" and "busy_timeout=5000;" in default.stdout
    configured = manage("shell", "--no-imports", "-c", code, DEBUG="1", DATABASE_URL="", HAMISH_DB_BUSY_TIMEOUT_SECONDS="2")
    assert configured.stdout.split()[0] == "2" and "busy_timeout=2000;" in configured.stdout
    assert manage("check", DEBUG="1", HAMISH_DB_BUSY_TIMEOUT_SECONDS="soon").returncode != 0
