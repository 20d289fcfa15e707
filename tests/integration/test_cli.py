"""The `crosscheck` command as an operator uses it."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from crosscheck.cli import main
from licensing.services.api_keys import authenticate
from licensing.store.models import Licence

COMMANDS = ["init-db", "demo", "serve", "jobs", "run", "create-api-key", "import-feed", "set-authority", "status", "retry-email"]


@pytest.fixture
def run(settings, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("CROSSCHECK_VAR_DIR", str(settings.var_dir))
    monkeypatch.setenv("CROSSCHECK_REFERENCE_DIR", str(settings.reference_dir))
    runner = CliRunner()
    return lambda *args: runner.invoke(main, list(args), catch_exceptions=False)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_says_what_it_does(command):
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert len(result.output.split("\n\n")[1].strip()) > 30


def test_create_api_key_prints_a_working_key_once(crosscheck, run):
    result = run("create-api-key", "e08000031")
    assert result.exit_code == 0
    key = result.output.strip()
    with crosscheck.unit_of_work(write=False) as uow:
        assert authenticate(uow, key).authority_code == "E08000031"
    unknown = run("create-api-key", "NOWHERE")
    assert unknown.exit_code == 2 and "No licensing authority has the code 'NOWHERE'" in unknown.output


def test_import_feed_applies_a_file_and_reports_row_errors(crosscheck, run, tmp_path):
    file = tmp_path / "register.csv"
    file.write_text(
        "licence_number,licence_type,status,issued_on,expires_on,surname,forenames,date_of_birth,postcode\n"
        + "".join(f"S{i},dual_driver,active,2024-01-01,2027-01-01,BIBI,Noor,1988-08-08,S1 2HE\n" for i in range(12))
        + "S99,dual_driver,sleeping,2024-01-01,2027-01-01,BIBI,Noor,1988-08-08,S1 2HE\n"
    )
    result = run("import-feed", "E08000019", str(file))
    assert result.exit_code == 0
    assert "applied — added 12" in result.output
    assert "row 13, status:" in result.output
    with crosscheck.unit_of_work(write=False) as uow:
        assert len(uow.session.execute(select(Licence.id)).all()) == 12


def test_init_db_is_repeatable(crosscheck, run):
    assert run("init-db").exit_code == 0
    again = run("init-db")
    assert again.exit_code == 0 and "0 licensing authorities added" in again.output
