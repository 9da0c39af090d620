"""One lockout for every way in, counted per account and client, and a throttle a header cannot escape.

The sign-in page (`email`), the API token endpoint (`email`, JSON) and the
Django admin (`username`) share django-axes' count of failures for one account
from one client; the client is the socket's address unless TRUSTED_PROXY_COUNT
says how many of our proxies stand in front.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache

from accounts.models import Role
from shared_platform.client_address import ClientAddressScopedRateThrottle

from .factories import PASSWORD

pytestmark = pytest.mark.django_db

ADMIN_EMAIL = "admin@facility.test"


@pytest.fixture(autouse=True)
def _no_throttle_or_lockout_left_over():
    cache.clear()  # DRF's throttle history lives in the cache
    yield
    cache.clear()


@pytest.fixture
def administrator(make_person, facility):
    return make_person((Role.FACILITY_MANAGER, None), email=ADMIN_EMAIL, is_staff=True, is_superuser=True)


def admin_sign_in(client, password, **headers):
    return client.post("/admin/login/?next=/admin/", {"username": ADMIN_EMAIL, "password": password}, **headers)


def page_sign_in(client, password, **headers):
    return client.post("/accounts/login/", {"email": ADMIN_EMAIL, "password": password}, **headers)


def api_sign_in(client, password, **headers):
    return client.post("/api/auth/token/", {"email": ADMIN_EMAIL, "password": password}, format="json", **headers)


def test_ten_wrong_admin_passwords_then_the_right_one_is_refused(administrator, facility, client_at):
    # given ten wrong passwords on the admin's sign-in form
    browser = client_at(facility)
    for _ in range(10):
        admin_sign_in(browser, "not-the-password")
    # when the right one follows
    response = admin_sign_in(browser, PASSWORD)
    # then it is refused and no session begins
    assert response.status_code == 429
    assert "_auth_user_id" not in browser.session
    assert browser.get("/admin/").status_code == 302


def test_the_right_admin_password_works_before_the_limit(administrator, facility, client_at, settings):
    browser = client_at(facility)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        admin_sign_in(browser, "not-the-password")
    response = admin_sign_in(browser, PASSWORD)
    assert response.status_code == 302
    assert browser.get("/admin/").status_code == 200


def test_failures_on_the_page_lock_the_admin_and_the_api_too(administrator, facility, client_at, api_at, settings):
    # given the limit of failures on the sign-in page
    for _ in range(settings.AXES_FAILURE_LIMIT):
        page_sign_in(client_at(facility), "not-the-password")
    # when the right password is tried on the admin and on the API
    admin = admin_sign_in(client_at(facility), PASSWORD)
    api = api_sign_in(api_at(facility), PASSWORD)
    page = page_sign_in(client_at(facility), PASSWORD)
    # then all three refuse
    assert admin.status_code == 429
    assert api.status_code == 429
    assert api.json()["error"]["code"] == "auth.locked_out"
    assert page.status_code == 429


def test_failures_on_the_admin_and_the_api_add_up(administrator, facility, client_at, api_at, settings):
    # given failures split between the admin and the API, in the account's name written in capitals
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        if attempt % 2:
            client_at(facility).post("/admin/login/", {"username": ADMIN_EMAIL.upper(), "password": "wrong"})
        else:
            api_sign_in(api_at(facility), "not-the-password")
    # when the right password is tried on the page
    response = page_sign_in(client_at(facility), PASSWORD)
    # then the account is locked there too
    assert response.status_code == 429


def test_a_lockout_holds_one_account_from_one_client(administrator, facility, client_at, settings, make_person):
    # given the administrator locked out from 127.0.0.1
    for _ in range(settings.AXES_FAILURE_LIMIT):
        admin_sign_in(client_at(facility), "not-the-password")
    # then another client still gets in with the right password, and so does another account
    assert admin_sign_in(client_at(facility), PASSWORD, REMOTE_ADDR="192.0.2.10").status_code == 302
    make_person((Role.FACILITY_MANAGER, None), email="other@facility.test", is_staff=True)
    other = client_at(facility).post("/admin/login/", {"username": "other@facility.test", "password": PASSWORD})
    assert other.status_code == 302


# -- the client's address: X-Forwarded-For is trusted only as far as TRUSTED_PROXY_COUNT says ----------


def test_by_default_no_proxy_is_trusted():
    from shared_platform.settings import base

    assert base.TRUSTED_PROXY_COUNT == 0
    assert base.REST_FRAMEWORK["NUM_PROXIES"] == 0
    assert base.AXES_CLIENT_IP_CALLABLE == "shared_platform.client_address.client_address"


def test_a_forged_forwarded_for_does_not_escape_the_lockout(administrator, facility, client_at, settings):
    # given the limit of failures, each claiming another client address
    for number in range(settings.AXES_FAILURE_LIMIT):
        admin_sign_in(client_at(facility), "wrong", HTTP_X_FORWARDED_FOR=f"198.51.100.{number}")
    # when the right password comes with yet another claimed address
    response = page_sign_in(client_at(facility), PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.200")
    # then the socket's address decided: locked
    assert response.status_code == 429


def test_a_forged_forwarded_for_does_not_escape_the_token_throttle(facility, api_at, settings, monkeypatch):
    # given a throttle of 3 a minute, and a lockout far away
    settings.AXES_FAILURE_LIMIT = 1000
    monkeypatch.setattr(ClientAddressScopedRateThrottle, "THROTTLE_RATES", {"sign_in": "3/minute"})
    statuses = [
        api_sign_in(api_at(facility), "wrong", HTTP_X_FORWARDED_FOR=f"198.51.100.{number}").status_code
        for number in range(5)
    ]
    # then the fourth guess is throttled whatever address it claims
    assert statuses[:3] == [401, 401, 401]
    assert statuses[3:] == [429, 429]


def test_behind_one_proxy_the_address_it_forwards_is_the_client(administrator, facility, client_at, api_at, settings):
    # given one proxy of ours (10.0.0.1) in front, appending the address it saw
    settings.TRUSTED_PROXY_COUNT = 1

    def through_proxy(client_seen: str, claimed: str = "203.0.113.99") -> dict[str, str]:
        return {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": f"{claimed}, {client_seen}"}

    # when one client fails the limit, writing its own (false) entry in front
    for number in range(settings.AXES_FAILURE_LIMIT):
        admin_sign_in(client_at(facility), "wrong", **through_proxy("203.0.113.7", claimed=f"192.0.2.{number}"))
    # then that client is locked out, on every path
    assert admin_sign_in(client_at(facility), PASSWORD, **through_proxy("203.0.113.7")).status_code == 429
    assert api_sign_in(api_at(facility), PASSWORD, **through_proxy("203.0.113.7")).status_code == 429
    # and another client behind the same proxy is not
    assert admin_sign_in(client_at(facility), PASSWORD, **through_proxy("203.0.113.8")).status_code == 302


def test_behind_one_proxy_the_throttle_counts_the_forwarded_client(facility, api_at, settings, monkeypatch):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.AXES_FAILURE_LIMIT = 1000
    monkeypatch.setattr(ClientAddressScopedRateThrottle, "THROTTLE_RATES", {"sign_in": "2/minute"})
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    first = [
        api_sign_in(api_at(facility), "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.7", **proxy).status_code
        for n in range(3)
    ]
    other = api_sign_in(api_at(facility), "wrong", HTTP_X_FORWARDED_FOR="203.0.113.8", **proxy).status_code
    assert first == [401, 401, 429]
    assert other == 401
