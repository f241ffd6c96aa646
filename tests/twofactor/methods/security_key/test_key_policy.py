"""The firm's key rules: "Require a security key for firm admins" and "Allow passkey sign-in
without a password" (firm and client), set on the Admin pages and enforced at sign-in."""

import time
from contextlib import suppress

import pytest
from django.core import mail
from django.test import Client as DjangoClient

from accounts import reauth
from accounts.models import AuditEvent, Client, Firm, User
from manage import demo
from tests.concurrency import needs_postgresql, race
from tests.conftest import PASSWORD
from tests.manage.policy_form import post_policy
from tests.signing_in import (
    another_admin,
    current_attempt,
    enter_password,
    request_token,
    sign_in,
    type_token,
)
from tests.twofactor.methods.security_key.test_security_keys import (
    answer,
    fresh,
    key_options,
    register,
    signed_in_as,
)
from twofactor.methods.backup_codes import codes as backup_codes
from twofactor.methods.security_key.models import SecurityKey
from twofactor.models import ApprovalRequest

ADMIN = "admin@acme.example"


@pytest.fixture
def admin(demo_world):
    return demo_world[ADMIN]


def require_keys(client, on=True, passkeys=False):
    return post_policy(
        client, Firm.objects.get(name="Acme IT"),
        security_key_required_for_admins="on" if on else None,
        passkey_sign_in_allowed="on" if passkeys else None,
    )


def test_manage_employees_shows_the_key_settings(client, admin):
    page = sign_in(client, ADMIN).get("/manage/employees/").content.decode()
    assert "Require a security key for firm admins" in page
    assert "Allow passkey sign-in without a password" in page


def test_requiring_keys_is_refused_to_an_admin_without_a_key(client, admin):
    sign_in(client, ADMIN)
    response = require_keys(client)
    assert not Firm.objects.get(pk=admin.firm_id).security_key_required_for_admins
    assert "Add a security key of your own first" in response.content.decode()


def test_an_admin_with_a_key_requires_keys_audited(client, admin):
    register(admin)
    sign_in(client, ADMIN)
    require_keys(client)
    assert Firm.objects.get(pk=admin.firm_id).security_key_required_for_admins
    assert AuditEvent.objects.filter(tag="firm:admin_security_keys:required").exists()


def test_turning_the_requirement_off_asks_for_the_password_then_tells_the_admins(
    client, admin
):
    register(admin)
    Firm.objects.filter(pk=admin.firm_id).update(security_key_required_for_admins=True)
    other = another_admin(admin.firm, "second@acme.example")
    mail.outbox.clear()
    sign_in(client, ADMIN, fresh_password=False)
    response = require_keys(client, on=False)
    assert "Enter your password." in response.content.decode()
    assert Firm.objects.get(pk=admin.firm_id).security_key_required_for_admins
    session = client.session
    session[reauth.SESSION_KEY] = int(time.time())
    session.save()
    require_keys(client, on=False)
    assert not Firm.objects.get(pk=admin.firm_id).security_key_required_for_admins
    assert AuditEvent.objects.filter(tag="firm:admin_security_keys:not_required").exists()
    assert [m.to for m in mail.outbox] == [[other.email]]
    assert "no longer need a security key" in mail.outbox[0].body


def test_a_client_page_has_its_own_passkey_setting(client, admin):
    site = Client.objects.get(name="Contoso Dental")
    sign_in(client, ADMIN)
    assert "Allow passkey sign-in without a password" in client.get(
        f"/manage/clients/{site.pk}/").content.decode()
    post_policy(client, site, passkey_sign_in_allowed="on")
    assert Client.objects.get(pk=site.pk).passkey_sign_in_allowed
    assert AuditEvent.objects.filter(tag="client:passkey_sign_in:enabled").exists()


def test_a_tech_cannot_change_the_key_settings(client, demo_world):
    sign_in(client, "tech@acme.example")
    assert require_keys(client).status_code == 403


# Enforced at sign-in


@pytest.fixture
def keys_required(admin):
    soft = register(admin)
    Firm.objects.filter(pk=admin.firm_id).update(security_key_required_for_admins=True)
    return soft


def test_an_admin_who_must_use_a_key_is_offered_the_key_alone_and_sent_nothing(
    client, admin, keys_required, sms_outbox
):
    enter_password(client, ADMIN)

    page = client.get("/login/verify/").content.decode()
    assert "Use a security key" in page
    assert "Send SMS token" not in page and "OneTouch" not in page
    assert not ApprovalRequest.objects.exists() and not sms_outbox


def test_an_sms_token_does_not_sign_in_an_admin_who_must_use_a_key(
    client, admin, keys_required, sms_outbox
):
    enter_password(client, ADMIN)

    asked = client.post("/login/verify/sms/")
    typed = type_token(client, "123456")

    assert asked.status_code == 403 and not sms_outbox
    assert typed.status_code == 403
    assert "requires firm admins to sign in with a security key" in typed.content.decode()
    assert signed_in_as(client) is None


def test_an_approved_push_does_not_sign_in_an_admin_who_must_use_a_key(
    client, admin, keys_required
):
    enter_password(client, ADMIN)
    attempt = current_attempt(client)
    approval = ApprovalRequest.objects.create(  # a push from before keys were required
        attempt=attempt, user=admin, provider="local", status="approved",
        expires_at=attempt.expires_at,
    )

    response = client.post("/login/verify/", {"action": "check"})

    assert approval.attempt_id == attempt.pk
    assert response.status_code == 403 and signed_in_as(client) is None
    assert "security key" in response.content.decode()


def test_an_admin_who_must_use_a_key_and_has_none_is_told_so_and_not_signed_in(client, admin):
    Firm.objects.filter(pk=admin.firm_id).update(security_key_required_for_admins=True)

    response = enter_password(client, ADMIN)

    assert response.status_code == 403 and signed_in_as(client) is None
    assert "requires firm admins to sign in with a security key" in response.content.decode()
    assert not ApprovalRequest.objects.exists()


def test_the_key_signs_in_an_admin_who_must_use_one(client, admin, keys_required):
    enter_password(client, ADMIN)
    assert answer(client, keys_required.get(key_options(client))).status_code == 200
    assert signed_in_as(client) == admin.pk


def test_a_backup_code_still_recovers_an_admin_who_lost_the_key_and_is_logged(
    client, admin, keys_required
):
    code = backup_codes.generate(admin)[0]
    enter_password(client, ADMIN)
    type_token(client, code)
    assert signed_in_as(client) == admin.pk
    assert AuditEvent.objects.filter(
        tag="account:security_key:required_backup_code_used", subject=admin).exists()


def test_techs_are_not_held_to_the_admin_key_rule(client, demo_world, keys_required, sms_outbox):
    enter_password(client)
    type_token(client, request_token(client, sms_outbox))
    assert signed_in_as(client) == demo_world["tech@acme.example"].pk


def test_an_admin_cannot_remove_the_last_key_while_keys_are_required(client, admin, keys_required):
    fresh(sign_in(client, ADMIN))
    client.post(f"/security/keys/{SecurityKey.objects.get().pk}/remove/")
    assert SecurityKey.objects.count() == 1
    assert "add another key before removing your last one" in client.get(
        "/security/").content.decode()


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_removes_at_once_leave_an_admin_who_must_use_a_key_one_key():
    """Each press counts the admin's keys and deletes one: without a lock on the person,
    both can count two and both delete. A race can miss its window, so five rounds."""
    demo.seed(PASSWORD)
    admin = User.objects.get(email=ADMIN)
    Firm.objects.filter(pk=admin.firm_id).update(security_key_required_for_admins=True)
    browsers = [fresh(sign_in(DjangoClient(), ADMIN)) for _ in range(2)]

    def press(browser, key_id):
        browser.post(f"/security/keys/{key_id}/remove/")
        return browser.get("/security/").content.decode()

    for _ in range(5):
        SecurityKey.objects.filter(user=admin).delete()
        register(admin, name="Blue key")
        register(admin, name="Red key")
        key_ids = SecurityKey.objects.filter(user=admin).values_list("pk", flat=True)
        removed_before = AuditEvent.objects.filter(tag="account:security_key:removed").count()

        pages = race(press, list(zip(browsers, key_ids, strict=True)))

        assert SecurityKey.objects.filter(user=admin).count() == 1
        removed = AuditEvent.objects.filter(tag="account:security_key:removed").count()
        assert removed == removed_before + 1
        assert sum("was removed" in page for page in pages) == 1
        assert sum("add another key before removing your last one" in page
                   for page in pages) == 1


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_requiring_keys_while_the_admin_removes_their_only_key_never_leaves_them_keyless():
    """Requiring keys checks the acting admin's own key; removing a key checks the rule.
    Without one lock on the person for both, each can pass on what the other is undoing:
    keys required, and the admin without a key. Ten rounds, each ordering left to chance."""
    from manage import key_rules
    from manage.people import NotAllowed
    from twofactor.methods.security_key import keys

    demo.seed(PASSWORD)
    admin = User.objects.get(email=ADMIN)
    firm = Firm.objects.filter(pk=admin.firm_id)
    for _ in range(10):
        firm.update(security_key_required_for_admins=False)
        SecurityKey.objects.filter(user=admin).delete()
        register(admin, name="Blue key")
        key = SecurityKey.objects.get(user=admin)

        def remove():
            with suppress(keys.Refused):  # keys were required first
                keys.remove_key(User.objects.get(pk=admin.pk), key)

        def require():
            with suppress(NotAllowed):  # no key of their own by then
                key_rules.set_firm_policy(
                    firm.get(), passkey_allowed=False, keys_required=True,
                    actor=User.objects.select_related("firm").get(pk=admin.pk),
                )

        race(lambda work: work(), [(remove,), (require,)])

        required = firm.get().security_key_required_for_admins
        assert not (required and not SecurityKey.objects.filter(user=admin).exists())
