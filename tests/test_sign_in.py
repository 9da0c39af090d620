"""Signing in with an e-mail and a password: pages (sessions) and API (tokens)."""

import pytest
from django.contrib.auth.hashers import make_password
from django.test import override_settings

from accounts.models import User

from .factories import PASSWORD

pytestmark = pytest.mark.django_db


def sign_in(client, email, password=PASSWORD):
    return client.post("/accounts/login/", {"email": email, "password": password})


def test_a_requester_signs_in_at_their_agency_address(undp, undp_requester, client_at):
    browser = client_at(undp)
    response = sign_in(browser, "requester@undp.test")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert browser.get("/").status_code == 200


def test_the_e_mail_address_is_not_case_sensitive(undp, undp_requester, client_at):
    response = sign_in(client_at(undp), "Requester@UNDP.test")
    assert response.status_code == 302


def test_a_wrong_password_is_a_form_error(undp, undp_requester, client_at):
    response = sign_in(client_at(undp), "requester@undp.test", "not-the-password")
    assert response.status_code == 401
    assert "do not match an active account" in response.content.decode()
    assert "_auth_user_id" not in client_at(undp).session


def test_a_correct_password_at_another_agency_address_does_not_sign_in(undp_requester, unfpa, client_at):
    browser = client_at(unfpa)
    response = sign_in(browser, "requester@undp.test")
    assert response.status_code == 403
    assert "no access to United Nations Population Fund" in response.content.decode()
    assert "_auth_user_id" not in browser.session


def test_an_empty_form_says_what_is_missing(undp, client_at):
    response = client_at(undp).post("/accounts/login/", {"email": "", "password": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_a_next_address_on_another_host_is_ignored(undp, undp_requester, client_at):
    response = client_at(undp).post(
        "/accounts/login/", {"email": "requester@undp.test", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_repeated_failures_lock_the_account_out_even_with_the_right_password(undp, undp_requester, client_at, settings):
    browser = client_at(undp)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(browser, "requester@undp.test", "wrong-password")
    response = sign_in(browser, "requester@undp.test")
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in browser.session


def test_signing_out_ends_the_session(undp, undp_requester, client_at):
    browser = client_at(undp, undp_requester)
    browser.post("/accounts/logout/")
    assert browser.get("/").status_code == 302


def test_the_api_issues_a_token_that_authenticates_later_calls(undp, undp_requester, api_at):
    client = api_at(undp)
    response = client.post("/api/auth/token/", {"email": "requester@undp.test", "password": PASSWORD}, format="json")
    assert response.status_code == 201
    token = response.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = client.get("/api/me/").json()
    assert me["user"]["email"] == "requester@undp.test"
    assert me["agency"] == "UNDP"
    assert me["roles_here"] == ["requester"]


def test_a_revoked_token_no_longer_works(undp, undp_requester, api_at):
    client = api_at(undp, undp_requester)
    assert client.delete("/api/auth/token/").status_code == 204
    assert client.get("/api/me/").status_code == 401


def test_the_api_refuses_a_token_for_an_address_the_person_cannot_use(undp_requester, unfpa, api_at):
    response = api_at(unfpa).post(
        "/api/auth/token/", {"email": "requester@undp.test", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "auth.no_access_here"


def test_the_api_locks_out_repeated_failures_too(undp, undp_requester, api_at, settings):
    client = api_at(undp)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/api/auth/token/", {"email": "requester@undp.test", "password": "bad-password"}, format="json")
    response = client.post("/api/auth/token/", {"email": "requester@undp.test", "password": PASSWORD}, format="json")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "auth.locked_out"


def test_production_hashes_passwords_with_argon2():
    from shared_platform.settings import base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    with override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS):
        user = User.objects.create_user(email="argon@example.org", password="a-long-password-1")
        assert user.password.startswith("argon2$")
        assert user.check_password("a-long-password-1")
        assert make_password("x").startswith("argon2$")
