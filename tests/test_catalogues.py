"""The Spanish and Canadian French catalogues are complete: every string the code marks is in them, translated, not
fuzzy, and the committed .mo files are what the .po files compile to (GNU gettext's msgfmt is the judge)."""

from __future__ import annotations

import gettext
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ["es", "fr_CA"]

if shutil.which("msgfmt") is None:
    if os.environ.get("CI"):
        raise RuntimeError("GNU gettext's msgfmt is needed (apt-get install gettext); .ci/run installs it")
    pytest.skip("GNU gettext is not installed (apt-get install gettext)", allow_module_level=True)


def statistics(po: Path) -> str:
    """msgfmt's own count of translated, fuzzy and untranslated messages (and any format error, as a failure)."""
    done = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", os.devnull, str(po)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stderr.strip()


def messages(mo: Path) -> dict:
    """The messages a compiled catalogue translates (msgid, or (msgid, n) for plurals), with their translations."""
    with open(mo, "rb") as compiled:
        return gettext.GNUTranslations(compiled)._catalog


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_in_the_catalogue_is_translated_and_none_is_fuzzy(locale):
    report = statistics(ROOT / "locale" / locale / "LC_MESSAGES" / "django.po")
    assert "translated message" in report
    assert "untranslated" not in report and "fuzzy" not in report, report


@pytest.mark.parametrize("locale", LOCALES)
def test_the_committed_mo_file_is_what_the_catalogue_compiles_to(locale, tmp_path):
    folder = ROOT / "locale" / locale / "LC_MESSAGES"
    subprocess.run(["msgfmt", "-o", str(tmp_path / "django.mo"), str(folder / "django.po")], check=True)
    with open(tmp_path / "django.mo", "rb") as compiled, open(folder / "django.mo", "rb") as committed:
        assert gettext.GNUTranslations(committed)._catalog == gettext.GNUTranslations(compiled)._catalog


@pytest.mark.slow
def test_every_string_the_code_marks_is_in_the_catalogues_translated(tmp_path):
    """`make messages` in a copy of the project: a string marked since the catalogues were last made shows up
    there as untranslated, and fails here until it is translated."""
    copy = tmp_path / "project"
    ignore = shutil.ignore_patterns(".*", "__pycache__", "*.pyc", "var", "media", "artifacts", "db.sqlite3")
    shutil.copytree(ROOT, copy, ignore=ignore)
    (copy / ".venv").mkdir()
    (copy / ".venv" / ".installed").touch()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    subprocess.run(
        ["make", "-s", "messages", f"PY={sys.executable}"], cwd=copy, env=env, check=True, capture_output=True
    )
    for locale in LOCALES:
        report = statistics(copy / "locale" / locale / "LC_MESSAGES" / "django.po")
        assert "untranslated" not in report and "fuzzy" not in report, f"{locale}: {report}"
        # And every message the catalogue translates is still found in the code: one that is not (a gettext()
        # inside an f-string, which xgettext does not read) would be dropped by the next `make messages`.
        made, committed = (
            set(messages(folder / "locale" / locale / "LC_MESSAGES" / "django.mo")) for folder in (copy, ROOT)
        )
        assert committed - made == set(), f"{locale}: translated, no longer in the code: {committed - made}"
