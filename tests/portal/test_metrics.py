"""Prometheus metrics as the operator reads them at /metrics: they move when a sign-in
happens, a text is sent, a person is locked out, a phone answers, a poll is held and a
provider fails; and nobody else can read them (another address, or through the proxy)."""

import json
import re
import threading
import time

import pytest
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from tests.portal.test_production_settings import ROOT, run
from tests.signing_in import enter_password, latest_approval, request_token, type_token
from tests.twofactor.methods.push.test_long_poll import held_get, poll_url
from twofactor.methods.push import approvals
from twofactor.providers.base import ApprovalStatus, ErrorKind, ProviderError
from twofactor.providers.breaker import guarded_call


def metric(name: str, **labels: str) -> float:
    """A sample's value as the operator's Prometheus reads it (0 before it first moves)."""
    response = Client().get("/metrics")  # the test client comes from 127.0.0.1, no proxy
    assert response.status_code == 200
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return sample.value
    return 0.0


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what waits for the commit (security events are counted once committed)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_a_sign_in_with_a_texted_token_moves_the_sign_in_and_text_counters(
    client, demo_world, sms_outbox, committed
):
    signed_in = metric("portal_sign_ins_total", method="sms", result="signed_in")
    texts = metric("portal_texts_total", result="sent")

    with committed():
        enter_password(client)
        token = request_token(client, sms_outbox)
        response = type_token(client, token)

    assert response.status_code == 302 and response["Location"] == "/"
    assert metric("portal_sign_ins_total", method="sms", result="signed_in") == signed_in + 1
    assert metric("portal_texts_total", result="sent") == texts + 1


def test_a_wrong_password_and_a_wrong_token_are_counted_as_such(client, demo_world, committed):
    refused = metric("portal_sign_ins_total", method="password", result="refused")
    rejected = metric("portal_sign_ins_total", method="sms", result="rejected")

    with committed():
        enter_password(client, password="not-the-password")
        enter_password(client)
        type_token(client, "000000")

    assert metric("portal_sign_ins_total", method="password", result="refused") == refused + 1
    # Texted tokens are the one typed way this person has: the rejection is SMS's.
    assert metric("portal_sign_ins_total", method="sms", result="rejected") == rejected + 1


def test_a_lock_out_moves_the_lock_out_counter(client, demo_world, settings, committed):
    settings.TWOFACTOR_FAILURES_BEFORE_BACKOFF = 100
    settings.TWOFACTOR_FAILURES_BEFORE_LOCK = 3
    before = metric("portal_lockouts_total")

    with committed():
        enter_password(client)
        for _ in range(3):
            type_token(client, "000000")

    assert metric("portal_lockouts_total") == before + 1


def test_a_text_refused_by_the_cool_down_is_counted_as_refused(
    client, demo_world, sms_outbox, committed
):
    refused = metric("portal_texts_total", result="refused")

    with committed():
        enter_password(client)
        request_token(client, sms_outbox)
        client.post("/login/verify/sms/")  # within the 30 s cool-down

    assert metric("portal_texts_total", result="refused") == refused + 1


def test_the_time_from_push_to_answer_is_observed(client, demo_world):
    approved = metric("portal_push_answer_seconds_count", answer="approved")
    enter_password(client)
    approval = latest_approval(client)

    approvals.record_answer(approval.provider_ref, ApprovalStatus.APPROVED,
                            provider=approval.provider)

    assert metric("portal_push_answer_seconds_count", answer="approved") == approved + 1


def test_a_provider_call_is_timed_and_its_failure_counted_by_provider_and_kind(db):
    calls = metric("portal_provider_call_seconds_count", provider="authy")
    timeouts = metric("portal_provider_errors_total", provider="authy", kind="timeout")

    with pytest.raises(ProviderError), guarded_call("authy"):
        raise ProviderError(ErrorKind.TIMEOUT)

    assert metric("portal_provider_call_seconds_count", provider="authy") == calls + 1
    assert metric("portal_provider_errors_total", provider="authy", kind="timeout") == (
        timeouts + 1
    )


@pytest.mark.django_db(transaction=True)
def test_a_held_poll_shows_in_the_gauge_until_it_is_answered(client, demo_world):
    enter_password(client)
    url = poll_url(client)
    approval = latest_approval(client)
    held = metric("portal_held_polls")
    replies = []
    polling = threading.Thread(
        target=lambda: replies.append(held_get(client, f"{url}&wait=1&seen=pending"))
    )

    polling.start()
    deadline = time.monotonic() + 5
    while metric("portal_held_polls") == held and time.monotonic() < deadline:
        time.sleep(0.05)
    during = metric("portal_held_polls")
    approvals.record_answer(approval.provider_ref, ApprovalStatus.APPROVED,
                            provider=approval.provider)
    polling.join(10)

    assert during == held + 1
    assert replies and replies[0].json()["status"] == "approved"
    assert metric("portal_held_polls") == held


def test_web_push_sends_are_counted_by_result():
    from portal import metrics

    before = metric("portal_web_push_sends_total", result="gone")

    metrics.web_push_sent("gone")

    assert metric("portal_web_push_sends_total", result="gone") == before + 1


def test_metrics_are_refused_to_another_address(db):
    response = Client(REMOTE_ADDR="203.0.113.9").get("/metrics")

    assert response.status_code == 404
    assert b"portal_" not in response.content


def test_metrics_are_refused_to_a_request_that_came_through_the_proxy(db):
    # nginx on the same host connects from 127.0.0.1, but says whom it forwards for.
    response = Client(HTTP_X_FORWARDED_FOR="203.0.113.9").get("/metrics")

    assert response.status_code == 404
    assert b"portal_" not in response.content


@pytest.mark.parametrize("loopback", ["127.0.0.1", "::1", "::ffff:127.0.0.1"])
def test_metrics_are_served_to_loopback_by_default(db, loopback):
    response = Client(REMOTE_ADDR=loopback).get("/metrics")

    assert response.status_code == 200 and b"portal_sign_ins" in response.content


def test_metrics_are_served_to_an_allowed_network(db, settings):
    settings.METRICS_ALLOWED_ADDRESSES = ["10.1.0.0/16"]

    allowed = Client(REMOTE_ADDR="10.1.2.3").get("/metrics")
    loopback = Client().get("/metrics")

    assert allowed.status_code == 200 and b"portal_sign_ins" in allowed.content
    assert loopback.status_code == 404  # the list replaces the default, loopback included


COUNT_A_TEXT = "import django; django.setup(); from portal import metrics; metrics.text('sent')"
SCRAPE = """
import django
django.setup()
from django.test import Client
print(Client().get("/metrics").content.decode())
"""


def test_with_a_multiprocess_directory_each_workers_counts_are_added_up(tmp_path):
    shared = {"PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}  # as gunicorn's workers share it
    for _worker in range(2):
        assert run(["-c", COUNT_A_TEXT], shared).returncode == 0

    scraped = run(["-c", SCRAPE], shared)

    assert scraped.returncode == 0, scraped.stderr
    assert 'portal_texts_total{result="sent"} 2.0' in scraped.stdout


def test_every_metric_the_grafana_dashboard_plots_is_served(db):
    dashboard = json.loads((ROOT / "docs" / "grafana-dashboard.json").read_text())
    plotted = {
        re.sub(r"_(bucket|count|sum|total)$", "", name)
        for panel in dashboard["panels"]
        for target in panel["targets"]
        for name in re.findall(r"portal_[a-z_]+", target["expr"])
    }
    served = Client().get("/metrics").content.decode()

    assert len(plotted) >= 9
    assert not [name for name in plotted if f"# HELP {name}" not in served
                and f"# HELP {name}_total" not in served]
