"""Officers' accounts and sessions: passwords, lock-out, the second factor, timeouts, sign-out."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
from click.testing import CliRunner
from sqlalchemy import update

from crosscheck.cli import main
from licensing.actors import Actor
from licensing.clock import utc_now
from licensing.errors import DomainError, Forbidden
from licensing.services import sessions, users
from licensing.store.users import User, UserSession
from tests.integration.pages.register import cheap_password_hashing

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True, scope="module")
def _cheap_hashing():
    with cheap_password_hashing():
        yield


def make_user(crosscheck, *, email="officer@wolverhampton.example", role="licensing_officer",
              authority_code="E08000031", password=PASSWORD, creator=None):
    with crosscheck.unit_of_work() as uow:
        return users.create_user(uow, creator or Actor.service(), email=email, name="Sam Officer", role=role,
                                 authority_code=authority_code, password=password)


def test_a_password_is_stored_only_as_an_argon2_hash_and_signs_in(crosscheck):
    user = make_user(crosscheck, email="Officer@Wolverhampton.example")
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    with crosscheck.unit_of_work() as uow:
        signed_in = users.check_password(uow, "officer@wolverhampton.EXAMPLE ", PASSWORD)
    assert signed_in.user.id == user.id and not signed_in.needs_code


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(crosscheck):
    make_user(crosscheck)
    for _ in range(users.MAX_FAILED_SIGN_INS):
        with crosscheck.unit_of_work() as uow, pytest.raises(users.SignInRefused, match="correct email"):
            users.check_password(uow, "officer@wolverhampton.example", "wrong password!")
    with crosscheck.unit_of_work() as uow, pytest.raises(users.SignInRefused, match="locked"):
        users.check_password(uow, "officer@wolverhampton.example", PASSWORD)


def test_an_admin_adds_users_to_their_own_authority_only(crosscheck):
    admin = make_user(crosscheck, email="admin@wolverhampton.example", role="authority_admin")
    actor = users.actor_of(admin)
    make_user(crosscheck, email="new@wolverhampton.example", creator=actor)
    with pytest.raises(Forbidden):
        make_user(crosscheck, email="new@manchester.example", authority_code="E08000003", creator=actor)
    with pytest.raises(DomainError, match="at least 12"):
        make_user(crosscheck, email="short@wolverhampton.example", password="short", creator=actor)


def test_a_second_factor_code_is_needed_and_works_once(crosscheck):
    user = make_user(crosscheck)
    secret = users.new_totp_secret()
    code = pyotp.TOTP(secret).now()
    with crosscheck.unit_of_work() as uow:
        with pytest.raises(DomainError):
            users.set_up_two_factor(uow, user.id, secret, "000000" if code != "000000" else "111111")
        users.set_up_two_factor(uow, user.id, secret, code)
    with crosscheck.unit_of_work() as uow:
        assert users.check_password(uow, user.email, PASSWORD).needs_code
    # The code that set it up has been used: it cannot sign in again.
    with crosscheck.unit_of_work() as uow, pytest.raises(users.SignInRefused):
        users.check_code(uow, user.id, code)


def test_an_authority_can_require_a_second_factor(crosscheck):
    admin = make_user(crosscheck, email="admin@wolverhampton.example", role="authority_admin")
    with crosscheck.unit_of_work() as uow:
        users.set_two_factor_required(uow, users.actor_of(admin), "E08000031", True)
    with crosscheck.unit_of_work() as uow:
        assert users.check_password(uow, admin.email, PASSWORD).needs_setup


def test_sessions_end_when_idle_too_long_or_too_old_or_the_user_is_removed(crosscheck):
    user = make_user(crosscheck)
    with crosscheck.unit_of_work() as uow:
        idle, old, removed = (sessions.start_session(uow, user.id, verified=True) for _ in range(3))
    with crosscheck.engine.begin() as connection:
        connection.execute(update(UserSession).where(UserSession.id == 1)
                           .values(last_seen_at=utc_now() - timedelta(minutes=31)))
        connection.execute(update(UserSession).where(UserSession.id == 2)
                           .values(created_at=utc_now() - timedelta(hours=11)))
    with crosscheck.unit_of_work() as uow:
        assert sessions.resume_session(uow, idle) is None
        assert sessions.resume_session(uow, old) is None
        assert sessions.resume_session(uow, removed).user.id == user.id
    admin = make_user(crosscheck, email="admin@wolverhampton.example", role="authority_admin")
    with crosscheck.unit_of_work() as uow:
        users.deactivate_user(uow, users.actor_of(admin), user.id)
    with crosscheck.unit_of_work() as uow:
        assert sessions.resume_session(uow, removed) is None
        with pytest.raises(users.SignInRefused):
            users.check_password(uow, user.email, PASSWORD)


def test_create_user_command_makes_an_admin_who_can_sign_in(crosscheck, settings, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("CROSSCHECK_VAR_DIR", str(settings.var_dir))
    result = CliRunner().invoke(main, ["create-user", "boss@wolverhampton.example", "--name", "Pat Boss",
                                       "--role", "authority_admin", "--authority", "e08000031"],
                                input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    with crosscheck.unit_of_work() as uow:
        assert users.check_password(uow, "boss@wolverhampton.example", PASSWORD).user.role == "authority_admin"
        assert uow.session.get(User, 1).authority_code == "E08000031"


def test_the_demo_users_sign_in_with_the_passwords_printed_even_after_a_second_run(crosscheck):
    from licensing.services.demo import demo_users

    demo_users(crosscheck, ["E08000031", "E08000003"])
    again = demo_users(crosscheck, ["E08000031", "E08000003"])
    assert {role for _, _, role, _ in again} == {"licensing_officer", "enforcement_officer", "authority_admin",
                                                 "operator"}
    for email, password, role, code in again:
        with crosscheck.unit_of_work() as uow:
            user = users.check_password(uow, email, password).user
        assert (user.role, user.authority_code) == (role, code)
