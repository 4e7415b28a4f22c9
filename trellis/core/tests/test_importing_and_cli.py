from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from trellis.cli import main
from trellis.core import importing
from trellis.core.models import AuditEvent, ImportRun


@pytest.fixture
def fake_kind(monkeypatch):
    monkeypatch.setitem(
        importing.IMPORTERS, "fake", ("trellis.core.tests.fake_importer.import_fake", "test")
    )


@pytest.mark.django_db
def test_rejected_import_writes_nothing_and_records_every_error(fake_kind):
    report = importing.run_import("fake", Path("people.csv"), actor=None, fail=True)
    assert not report.ok
    assert [str(e) for e in report.errors] == [
        "row 2, email: not an email address",
        "row 3, hire_date: use YYYY-MM-DD",
    ]
    assert not AuditEvent.objects.filter(code="test.fake.written").exists()
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.REJECTED
    assert run.errors == [
        {"row": 2, "column": "email", "message": "not an email address"},
        {"row": 3, "column": "hire_date", "message": "use YYYY-MM-DD"},
    ]
    assert AuditEvent.objects.filter(code="trellis.import.rejected").count() == 1


@pytest.mark.django_db
def test_dry_run_checks_but_writes_nothing(fake_kind):
    report = importing.run_import("fake", Path("people.csv"), actor=None, dry_run=True)
    assert report.ok
    assert not AuditEvent.objects.filter(code="test.fake.written").exists()
    assert ImportRun.objects.get().status == ImportRun.Status.DRY_RUN


@pytest.mark.django_db
def test_applied_import_keeps_its_writes(fake_kind):
    report = importing.run_import("fake", Path("people.csv"), actor=None)
    assert report.ok and report.created == 2
    assert AuditEvent.objects.filter(code="test.fake.written").count() == 1
    assert ImportRun.objects.get().summary["created"] == 2


def test_unknown_kind_names_the_choices():
    with pytest.raises(ValueError, match="Unknown import kind 'nope'"):
        importing.get_importer("nope")


@pytest.mark.django_db
def test_import_command_reports_rows_and_fails(fake_kind, tmp_path, capsys):
    bad_file = tmp_path / "bad-people.csv"
    bad_file.write_text("x")
    with pytest.raises(CommandError, match="fake import rejected: 2 error"):
        call_command("import", "fake", str(bad_file))
    assert "row 2, email: not an email address" in capsys.readouterr().err


def test_import_command_names_a_missing_path(tmp_path):
    with pytest.raises(CommandError, match=r"path: .* does not exist"):
        call_command("import", "hris", str(tmp_path / "missing.csv"))


def test_trellis_help_lists_its_commands(capsys):
    main(["--help"])
    out = capsys.readouterr().out
    for command in ("demo", "serve", "worker", "import", "createadmin"):
        assert f"\n  {command} " in out


@pytest.mark.django_db
def test_createadmin_creates_an_ld_admin(capsys):
    from django.contrib.auth import get_user_model

    from trellis.core.permissions import Role, roles_for

    call_command(
        "createadmin", "ops", "--email", "ops@example.com", "--password", "a-Long-pass-phrase-9"
    )
    user = get_user_model().objects.get(username="ops")
    assert Role.LD_ADMIN in roles_for(user)
    assert not user.is_superuser
    with pytest.raises(CommandError, match="password:"):
        call_command("createadmin", "weak", "--password", "123")
    assert not get_user_model().objects.filter(username="weak").exists()
