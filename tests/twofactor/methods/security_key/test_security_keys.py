"""Security keys and passkeys, server side: real WebAuthn answers from a software key
(tests/webauthn_authenticator.py), and the attacks a phisher or a thief would try. Each
attack test fails if its check is removed."""

import json
import time

import pytest
from django.core import mail
from django.test import Client

from accounts.models import AuditEvent, Firm, User
from portal.text import CONTROL_MESSAGE
from tests.conftest import PASSWORD
from tests.signing_in import enter_password, sign_in, verified_by
from tests.webauthn_authenticator import SoftwareKey
from twofactor.checks import security_keys_need_a_host_name
from twofactor.methods.backup_codes import codes as backup_codes
from twofactor.methods.security_key import challenges, keys
from twofactor.methods.security_key.models import SecurityKey
from twofactor.models import ApprovalRequest, SignInAttempt
from twofactor.signin import lockout

TECH = "tech@acme.example"


def post_json(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def fresh(client):
    """The password and a second factor both proven a moment ago."""
    session = client.session
    verified_by(session, "sms")
    session.save()
    return client


def add_key(client, soft: SoftwareKey, name="Blue key"):
    options = post_json(client, "/security/keys/add/options/", {"name": name}).json()
    return post_json(client, "/security/keys/add/finish/",
                     {"name": name, "credential": soft.create(options)})


def register(user: User, soft: SoftwareKey | None = None, name="Blue key") -> SoftwareKey:
    """Give ``user`` a key without the pages (for sign-in tests)."""
    soft = soft or SoftwareKey()
    challenge = b"c" * 32
    options = json.loads(keys.registration_options(user, challenge))
    keys.add_key(user, name, soft.create(options), challenge)
    return soft


def key_options(client):
    return post_json(client, "/login/verify/key/options/", {}).json()


def answer(client, credential):
    return post_json(client, "/login/verify/key/", credential)


def signed_in_as(client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value else None


@pytest.fixture
def tech(demo_world):
    return demo_world[TECH]


# Adding and removing keys on the Security page


def test_a_person_adds_a_named_key_audited_and_emailed(client, tech):
    fresh(sign_in(client, TECH))
    soft = SoftwareKey()

    response = add_key(client, soft, "Blue YubiKey")

    assert response.json() == {"redirect": "/security/"}
    key = SecurityKey.objects.get(user=tech)
    assert (key.name, bytes(key.credential_id), key.transports) == (
        "Blue YubiKey", soft.credential_id, ["usb"])
    assert AuditEvent.objects.filter(tag="account:security_key:added", subject=tech).exists()
    assert "Blue YubiKey" in mail.outbox[-1].body
    page = client.get("/security/").content.decode()
    assert "Blue YubiKey" in page and ">Remove<" in page and "Add a security key" in page


def test_the_user_handle_is_64_random_bytes_kept_for_the_person(client, tech):
    fresh(sign_in(client, TECH))
    first = post_json(client, "/security/keys/add/options/", {"name": "a"}).json()
    second = post_json(client, "/security/keys/add/options/", {"name": "a"}).json()
    handle = keys.handle_for(tech)
    assert len(handle) == 64 and first["user"]["id"] == second["user"]["id"]
    assert first["attestation"] == "none"


def test_registration_excludes_the_persons_keys(client, tech):
    soft = register(tech)
    fresh(sign_in(client, TECH))
    options = post_json(client, "/security/keys/add/options/", {"name": "b"}).json()
    assert [c["id"] for c in options["excludeCredentials"]] == [
        keys.bytes_to_b64(soft.credential_id)]


def test_adding_a_key_needs_a_fresh_factor(client, tech):
    sign_in(client, TECH)  # password fresh, no factor proven in this session
    assert client.get("/security/keys/add/")["Location"].startswith("/security/confirm/")
    response = post_json(client, "/security/keys/add/options/", {"name": "a"})
    assert response.status_code == 403
    assert not SecurityKey.objects.exists()


@pytest.mark.parametrize("name", ["", "   ", "x" * 65])
def test_a_key_needs_a_name_of_1_to_64_characters(client, tech, name):
    fresh(sign_in(client, TECH))
    response = post_json(client, "/security/keys/add/options/", {"name": name})
    assert response.status_code == 400 and "1 to 64" in response.json()["error"]


def test_at_most_ten_keys_a_person(client, tech):
    for _ in range(10):
        register(tech)
    fresh(sign_in(client, TECH))
    response = post_json(client, "/security/keys/add/options/", {"name": "eleventh"})
    assert response.status_code == 400 and "most allowed" in response.json()["error"]


def test_one_key_cannot_be_registered_twice(client, tech, demo_world):
    soft = register(tech)
    fresh(sign_in(client, "admin@acme.example"))
    response = add_key(client, soft)  # the same credential, to another account
    assert response.status_code == 400 and "already registered" in response.json()["error"]
    assert SecurityKey.objects.count() == 1


def test_a_registration_challenge_is_used_once(client, tech):
    fresh(sign_in(client, TECH))
    soft = SoftwareKey()
    options = post_json(client, "/security/keys/add/options/", {"name": "a"}).json()
    credential = soft.create(options)
    first = post_json(client, "/security/keys/add/finish/", {"name": "a", "credential": credential})
    again = post_json(client, "/security/keys/add/finish/", {"name": "a", "credential": credential})
    assert first.status_code == 200 and again.status_code == 400
    assert SecurityKey.objects.count() == 1


def test_a_registration_from_another_origin_is_refused(client, tech):
    fresh(sign_in(client, TECH))
    options = post_json(client, "/security/keys/add/options/", {"name": "a"}).json()
    credential = SoftwareKey().create(options, origin="https://evil.example")
    response = post_json(client, "/security/keys/add/finish/",
                         {"name": "a", "credential": credential})
    assert response.status_code == 400 and not SecurityKey.objects.exists()


def test_removing_a_key_is_audited_and_emailed(client, tech):
    register(tech, name="Old key")
    key = SecurityKey.objects.get()
    fresh(sign_in(client, TECH))
    response = client.post(f"/security/keys/{key.pk}/remove/")
    assert response["Location"] == "/security/"
    assert not SecurityKey.objects.exists()
    assert AuditEvent.objects.filter(tag="account:security_key:removed").exists()
    assert "Old key" in mail.outbox[-1].body


def test_nobody_removes_another_persons_key(client, tech):
    register(tech)
    fresh(sign_in(client, "admin@acme.example"))
    assert client.post(f"/security/keys/{SecurityKey.objects.get().pk}/remove/").status_code == 404
    assert SecurityKey.objects.count() == 1


# Signing in with a key


def test_a_person_with_a_key_gets_no_push_and_sees_the_key_first(client, tech):
    register(tech)
    assert enter_password(client)["Location"] == "/login/verify/"
    assert not ApprovalRequest.objects.exists()
    page = client.get("/login/verify/").content.decode()
    assert "Use a security key" in page
    assert page.index("Use a security key") < page.index("Token or Security Key")


def test_a_person_signs_in_with_their_key(client, tech):
    soft = register(tech)
    enter_password(client)
    options = key_options(client)
    assert [c["id"] for c in options["allowCredentials"]] == [
        keys.bytes_to_b64(soft.credential_id)]
    response = answer(client, soft.get(options))
    assert response.json() == {"redirect": "/"}
    assert signed_in_as(client) == tech.pk
    assert SignInAttempt.objects.get().method == "security_key"
    key = SecurityKey.objects.get()
    assert key.sign_count == 1 and key.last_used_at is not None


def test_allow_credentials_holds_only_this_persons_keys(client, tech, demo_world):
    register(demo_world["admin@acme.example"])
    mine = register(tech)
    enter_password(client)
    assert [c["id"] for c in key_options(client)["allowCredentials"]] == [
        keys.bytes_to_b64(mine.credential_id)]


def test_attack_a_wrong_origin_is_refused(client, tech):
    soft = register(tech)
    enter_password(client)
    response = answer(client, soft.get(key_options(client), origin="https://portal.evil.example"))
    assert response.status_code == 400 and signed_in_as(client) is None


def test_attack_a_wrong_rp_id_is_refused(client, tech):
    soft = register(tech)
    enter_password(client)
    response = answer(client, soft.get(key_options(client), rp_id="evil.example"))
    assert response.status_code == 400 and signed_in_as(client) is None


def test_attack_a_replayed_answer_is_refused(client, tech, demo_world):
    soft = register(tech)
    enter_password(client)
    options = key_options(client)
    credential = soft.get(options)
    assert answer(client, credential).status_code == 200
    client.post("/logout/")
    enter_password(client)
    key_options(client)  # a new challenge is waiting; the old answer is not for it
    response = answer(client, credential)
    assert response.status_code == 400 and signed_in_as(client) is None


def test_attack_a_challenge_answers_once(client, tech):
    """Whatever its first answer, a challenge is spent: a captured answer to it, replayed
    in the same sign-in, is refused."""
    soft = register(tech)
    enter_password(client)
    options = key_options(client)
    captured = soft.get(options)
    answer(client, soft.get(options, origin="https://evil.example"))  # spends the challenge
    response = answer(client, captured)
    assert response.status_code == 400 and "already answered" in response.json()["error"]
    assert signed_in_as(client) is None


def test_attack_an_answer_to_no_challenge_is_refused(client, tech):
    soft = register(tech)
    enter_password(client)
    options = key_options(client)
    credential = soft.get(options)
    session = client.session
    session.pop(challenges.SESSION_KEY)
    session.save()
    response = answer(client, credential)
    assert response.status_code == 400 and "expired or was already answered" in (
        response.json()["error"])


def test_attack_a_challenge_of_another_attempt_is_refused(client, tech):
    """A challenge made for an earlier attempt of the same browser never answers a new one."""
    soft = register(tech)
    enter_password(client)
    options = key_options(client)
    old_attempt = client.session["twofactor_attempt"]
    SignInAttempt.objects.filter(pk=old_attempt).update(expires_at="2000-01-01T00:00Z")
    enter_password(client)
    session = client.session
    session[challenges.SESSION_KEY] = {"sign_in": {
        "challenge": keys.bytes_to_b64(keys.b64_to_bytes(options["challenge"])) + "",
        "at": time.time(), "attempt": old_attempt}}
    session.save()
    response = answer(client, soft.get(options))
    assert response.status_code == 400 and signed_in_as(client) is None


def test_attack_a_foreign_challenge_is_refused(client, tech):
    """The key signed a challenge the portal never gave this session."""
    soft = register(tech)
    enter_password(client)
    options = key_options(client)
    response = answer(client, soft.get(options, challenge=b"x" * 32))
    assert response.status_code == 400 and signed_in_as(client) is None


def test_a_challenge_lasts_five_minutes(client, tech, time_travel):
    soft = register(tech)
    enter_password(client)
    options = key_options(client)
    time_travel(301)
    SignInAttempt.objects.update(expires_at="2100-01-01T00:00Z")
    response = answer(client, soft.get(options))
    assert response.status_code == 400 and signed_in_as(client) is None


def test_attack_as_key_for_bs_sign_in_is_refused(client, tech, demo_world):
    admin = demo_world["admin@acme.example"]
    admins_key = register(admin)
    register(tech)
    enter_password(client)  # the tech's sign-in
    response = answer(client, admins_key.get(key_options(client)))
    assert response.status_code == 400
    assert "not registered to this account" in response.json()["error"]
    assert signed_in_as(client) is None


def test_attack_a_sign_count_going_backwards_is_refused_and_told(client, tech):
    soft = register(tech)
    SecurityKey.objects.update(sign_count=5)
    enter_password(client)
    response = answer(client, soft.get(key_options(client), sign_count=5))
    assert response.status_code == 400 and "went backwards" in response.json()["error"]
    assert signed_in_as(client) is None
    assert AuditEvent.objects.filter(
        tag="account:security_key:refused", data__reason="sign_count").exists()


def test_a_synced_passkey_always_sending_zero_is_accepted(client, tech):
    soft = register(tech, SoftwareKey(backup_eligible=True))
    for _ in range(2):
        enter_password(client)
        response = answer(client, soft.get(key_options(client), sign_count=0))
        assert response.status_code == 200
        client.post("/logout/")


def test_wrong_key_answers_count_towards_the_lock(client, tech, settings, time_travel):
    soft = register(tech)
    enter_password(client)
    for failures in range(settings.TWOFACTOR_FAILURES_BEFORE_LOCK):
        time_travel(lockout.backoff_seconds(failures) + 1)  # wait out each back-off
        answer(client, soft.get(key_options(client), origin="https://evil.example"))
    assert lockout.is_locked(tech)
    response = answer(client, soft.get(key_options(client)))
    assert response.status_code == 429 and signed_in_as(client) is None


# Passkey sign-in from the login page


def allow_passkeys(user: User) -> None:
    Firm.objects.filter(pk=user.firm_id).update(passkey_sign_in_allowed=True)


def passkey(client, soft: SoftwareKey, **forge):
    options = post_json(client, "/login/passkey/options/", {}).json()
    assert options["userVerification"] == "required" and options["allowCredentials"] == []
    return post_json(client, "/login/passkey/", soft.get(options, **forge))


def test_a_passkey_signs_in_with_both_factors_where_the_firm_allows(client, tech):
    soft = register(tech)
    allow_passkeys(tech)
    response = passkey(client, soft)
    assert response.json() == {"redirect": "/"}
    assert signed_in_as(client) == tech.pk
    assert SignInAttempt.objects.get().method == "passkey"
    assert "reauth_at" not in str(dict(client.session))  # no password step was made
    assert client.get("/login/").status_code == 302  # signed in: the login page moves on


def test_passkey_sign_in_is_refused_where_the_firm_does_not_allow_it(client, tech):
    soft = register(tech)
    response = passkey(client, soft)
    assert response.status_code == 403
    assert "does not allow passkey sign-in" in response.json()["error"]
    assert signed_in_as(client) is None


def test_attack_a_passkey_without_user_verification_is_refused(client, tech):
    soft = register(tech)
    allow_passkeys(tech)
    soft.user_verified = False
    response = passkey(client, soft)
    assert response.status_code == 400 and "PIN, fingerprint or face" in response.json()["error"]
    assert signed_in_as(client) is None


def test_a_passkey_of_a_deactivated_person_is_refused(client, tech):
    soft = register(tech)
    allow_passkeys(tech)
    User.objects.filter(pk=tech.pk).update(is_active=False)
    response = passkey(client, soft)
    assert response.status_code == 400 and signed_in_as(client) is None


def test_a_passkey_of_a_locked_person_is_refused(client, tech, settings):
    soft = register(tech)
    allow_passkeys(tech)
    for _ in range(settings.TWOFACTOR_FAILURES_BEFORE_LOCK):
        lockout.record_failure(tech)
    response = passkey(client, soft)
    assert response.status_code == 429 and signed_in_as(client) is None


def test_the_passkey_start_is_rate_limited(client, tech, settings):
    settings.TWOFACTOR_RATE_LIMITS = {"passkey.ip": (2, 600)}
    for _ in range(2):
        assert post_json(client, "/login/passkey/options/", {}).status_code == 200
    response = post_json(client, "/login/passkey/options/", {})
    assert response.status_code == 429 and "Too many passkey sign-ins" in response.json()["error"]


def test_the_login_page_offers_a_passkey(client, demo_world):
    assert "Sign in with a passkey" in client.get("/login/").content.decode()


def test_garbage_answers_are_refused_without_a_500(client, tech):
    register(tech)
    enter_password(client)
    for body in [b"", b"[]", b'{"id": 5}', b"x" * 100_000, b'{"rawId": "!!!"}']:
        key_options(client)
        response = client.post("/login/verify/key/", body, content_type="application/json")
        assert 400 <= response.status_code < 500, body
    for body in [b"", b"[]", b'{"response": 5}']:
        post_json(client, "/login/passkey/options/", {})
        response = client.post("/login/passkey/", body, content_type="application/json")
        assert 400 <= response.status_code < 500, body


# Hostile bodies: each JSON end reads its body through portal.json_requests, after the
# challenge it answers was made (so the reader, not a missing challenge, refuses them).
HOSTILE_BODIES = [  # (body, content type, status)
    (b"[" * 3000 + b"]" * 3000, "application/json", 400),  # past the parser's recursion
    (b'{"a":' * 3000 + b"1" + b"}" * 3000, "application/json", 400),  # 15 KB
    (b'{"a":' * 17 + b"1" + b"}" * 17, "application/json", 400),  # past MAX_DEPTH only
    (b'{"name": "\\ud800"}', "application/json", 400),  # a lone surrogate
    (b'["name"]', "application/json", 400),
    (b"{", "application/json", 400),
    (b"name=Blue", "application/x-www-form-urlencoded", 415),
    (b"--B\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nBlue\r\n--B--\r\n",
     "multipart/form-data; boundary=B", 415),
    (b"Blue", "text/plain", 415),
    (b'{"name": "' + b"x" * 70_000 + b'"}', "application/json", 413),
]


def ready_for_each_json_end(client, tech) -> dict:
    """Each JSON end with the session it needs, its challenge made first."""
    register(tech)
    allow_passkeys(tech)
    fresh(sign_in(client, TECH))
    post_json(client, "/security/keys/add/options/", {"name": "x"})
    return {
        "/security/keys/add/options/": lambda: None,
        "/security/keys/add/finish/": lambda: post_json(
            client, "/security/keys/add/options/", {"name": "x"}),
        "/login/passkey/": lambda: post_json(client, "/login/passkey/options/", {}),
    }


@pytest.mark.parametrize(("body", "content_type", "status"), HOSTILE_BODIES)
def test_every_json_end_refuses_a_hostile_body_with_a_json_error(client, tech, body,
                                                                  content_type, status):
    ends = ready_for_each_json_end(client, tech)
    for url, make_challenge in ends.items():
        make_challenge()
        response = client.post(url, body, content_type=content_type)
        assert response.status_code == status, url
        assert response.json()["error"], url
    pending = Client(raise_request_exception=False)
    enter_password(pending)
    key_options(pending)
    response = pending.post("/login/verify/key/", body, content_type=content_type)
    assert response.status_code == status and response.json()["error"]
    assert not SecurityKey.objects.exclude(name="Blue key").exists()


@pytest.mark.parametrize("name", ["a\x00b", "\x00", "Blue\x1b[31m", "\u202eyek eulB", "a\x7fb"])
def test_a_key_name_with_a_control_character_is_refused_and_nothing_stored(client, tech, name):
    fresh(sign_in(client, TECH))

    started = post_json(client, "/security/keys/add/options/", {"name": name})
    options = post_json(client, "/security/keys/add/options/", {"name": "Blue"}).json()
    finished = post_json(client, "/security/keys/add/finish/",
                         {"name": name, "credential": SoftwareKey().create(options)})

    for response in (started, finished):
        assert response.status_code == 400
        assert response.json()["error"] == CONTROL_MESSAGE
    assert not SecurityKey.objects.exists()


def test_a_key_name_keeps_its_words_on_one_line(client, tech):
    fresh(sign_in(client, TECH))
    add_key(client, SoftwareKey(), "  Blue\tkey\n on  my desk ")
    assert SecurityKey.objects.get().name == "Blue key on my desk"


def test_a_key_name_reaches_the_email_as_typed_and_the_page_escaped(client, tech):
    name = 'O\'Brien <Key> & "Co"'
    fresh(sign_in(client, TECH))

    add_key(client, SoftwareKey(), name)

    assert f'A security key named "{name}" was added' in mail.outbox[-1].body
    page = client.get("/security/").content.decode()
    assert "O&#x27;Brien &lt;Key&gt; &amp; &quot;Co&quot;" in page and "<Key>" not in page


# Recovery and resets


def test_an_admins_factor_reset_removes_keys(tech, demo_world, fake_provider):
    from twofactor.recovery import phone_changes

    register(tech)
    phone_changes.reset_second_factor(tech, demo_world["admin@acme.example"])
    assert not SecurityKey.objects.exists()


def test_the_lost_phone_page_tells_a_key_holder_they_can_still_sign_in(client, tech):
    register(tech)
    enter_password(client)
    page = client.get("/login/recovery/").content.decode()
    assert "you can still sign in with it" in page


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000", "https://[::1]", "https://10.0.0.5"])
def test_check_reports_an_ip_address_as_public_base_url(settings, url):
    settings.PUBLIC_BASE_URL = url
    assert "twofactor.E020" in [error.id for error in security_keys_need_a_host_name()]


def test_check_accepts_a_host_name(settings):
    settings.PUBLIC_BASE_URL = "http://localhost:8000"
    assert security_keys_need_a_host_name() == []


def test_a_person_without_a_phone_but_with_a_key_can_sign_in(client, demo_world):
    nophone = demo_world["nophone@acme.example"]
    soft = register(nophone)
    enter_password(client, "nophone@acme.example", PASSWORD)
    response = answer(client, soft.get(key_options(client)))
    assert response.status_code == 200 and signed_in_as(client) == nophone.pk


def test_a_key_added_without_backup_codes_is_followed_by_a_nudge_to_make_them(client, tech):
    fresh(sign_in(client, TECH))

    add_key(client, SoftwareKey(), "First key")
    page = client.get("/security/").content.decode()

    assert "Now make backup codes" in page
    backup_codes.generate(tech)
    add_key(client, SoftwareKey(), "Second key")
    assert "Now make backup codes" not in client.get("/security/").content.decode()
