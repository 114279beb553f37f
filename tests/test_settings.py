"""Which settings the command loads, and that production is safe to deploy as configured."""

from __future__ import annotations

import secrets

import pytest

from lagniappe.cli import SETTINGS_MODULES, CommandFailed, settings_module_choose
from tests.test_cli import run_cli

EMBEDDED = "lagniappe.config.settings.embedded"
PRODUCTION = "lagniappe.config.settings.production"


def test_embedded_settings_are_the_default():
    assert settings_module_choose({}) == EMBEDDED
    assert settings_module_choose({"LAGNIAPPE_ENV": ""}) == EMBEDDED
    assert SETTINGS_MODULES["production"] == PRODUCTION


def test_lagniappe_env_selects_production_and_django_settings_module_wins():
    assert settings_module_choose({"LAGNIAPPE_ENV": "Production"}) == PRODUCTION
    explicit = {"LAGNIAPPE_ENV": "production", "DJANGO_SETTINGS_MODULE": "my.settings"}
    assert settings_module_choose(explicit) == "my.settings"


def test_an_unknown_environment_is_refused():
    with pytest.raises(CommandFailed):
        settings_module_choose({"LAGNIAPPE_ENV": "staging"})


def test_an_unknown_environment_fails_cleanly_from_the_command(tmp_path):
    result = run_cli(tmp_path / "home", "check", LAGNIAPPE_ENV="staging")
    assert result.returncode == 1
    assert "LAGNIAPPE_ENV" in result.stderr and "Traceback" not in result.stderr


def test_embedded_creates_its_home_and_passes_the_checks(tmp_path):
    home = tmp_path / "not" / "there" / "yet"
    result = run_cli(home, "check")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
    assert home.is_dir()


@pytest.mark.parametrize("secret", [None, "short-secret", "a" * 64])
def test_production_refuses_a_missing_or_weak_secret(tmp_path, secret):
    extra = {"LAGNIAPPE_ENV": "production", "LAGNIAPPE_ALLOWED_HOSTS": "example.org"}
    if secret is not None:
        extra["LAGNIAPPE_SECRET_KEY"] = secret
    result = run_cli(tmp_path / "home", "check", "--deploy", **extra)
    assert result.returncode == 1
    assert "LAGNIAPPE_SECRET_KEY" in result.stderr and "Traceback" not in result.stderr


def test_production_passes_check_deploy_with_no_issues(tmp_path):
    result = run_cli(
        tmp_path / "home",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        LAGNIAPPE_ENV="production",
        LAGNIAPPE_SECRET_KEY=secrets.token_urlsafe(48)[:64],
        LAGNIAPPE_ALLOWED_HOSTS="example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_without_the_security_settings_would_fail_the_same_check(tmp_path):
    # The check above can fail: switch one protection off and it reports it.
    result = run_cli(
        tmp_path / "home",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        LAGNIAPPE_ENV="production",
        LAGNIAPPE_SECRET_KEY=secrets.token_urlsafe(48)[:64],
        LAGNIAPPE_ALLOWED_HOSTS="example.org",
        LAGNIAPPE_SSL_REDIRECT="0",
    )
    assert result.returncode == 1
    assert "security.W008" in result.stdout + result.stderr
