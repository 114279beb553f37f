"""Every user-facing string ships translated in all five languages, and the compiled
catalogues are the ones the sources say."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

import lagniappe

PACKAGE = Path(lagniappe.__file__).parent
LOCALE = PACKAGE / "locale"
LANGUAGES = ("en", "id", "ja", "zh_Hans", "zh_Hant")
TRANSLATED = ("id", "ja", "zh_Hans", "zh_Hant")


def _catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated(language: str) -> None:
    catalogue = _catalogue(language)
    missing = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert len(catalogue) > 0
    assert missing == [], f"{language}: untranslated {missing[:20]}"
    assert fuzzy == [], f"{language}: fuzzy {fuzzy[:20]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_its_source(language: str) -> None:
    source = _catalogue(language)
    compiled = polib.mofile(str(LOCALE / language / "LC_MESSAGES" / "django.mo"))
    expected = {(e.msgctxt, e.msgid): e.msgstr for e in source.translated_entries()}
    actual = {(e.msgctxt, e.msgid): e.msgstr for e in compiled if e.msgid}
    assert actual == expected, f"{language}: run `make messages-compile`"


def test_plural_forms_are_translated() -> None:
    for language in TRANSLATED:
        for entry in _catalogue(language):
            if entry.msgid_plural:
                assert all(entry.msgstr_plural.values()), (language, entry.msgid)


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (xgettext)")
def test_catalogues_hold_every_string_of_the_source(tmp_path: Path) -> None:
    copy = tmp_path / "lagniappe"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("locale", "__pycache__"))
    (copy / "locale").mkdir()
    subprocess.run(
        ["django-admin", "makemessages", "-l", "ja", "--no-obsolete", "--no-location"],
        cwd=copy,
        check=True,
        capture_output=True,
        env={"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin"},
    )
    found = {
        (e.msgctxt, e.msgid) for e in polib.pofile(str(copy / "locale/ja/LC_MESSAGES/django.po"))
    }
    shipped = {(e.msgctxt, e.msgid) for e in _catalogue("ja") if not e.obsolete}
    missing = sorted(m for _, m in found - shipped)
    assert missing == [], (
        f"strings missing from the catalogues (run `make messages`): {missing[:20]}"
    )
