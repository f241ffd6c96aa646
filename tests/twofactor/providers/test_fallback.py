"""After a provider failure the page offers the other method only where it can work."""

from twofactor.providers.base import ErrorKind, ProviderError
from twofactor.providers.fallback import what_still_works


def test_with_the_local_provider_the_other_method_is_offered(settings):
    settings.TWOFACTOR_PROVIDER = "local"
    assert what_still_works("push") == "Use an SMS token instead."
    assert "Approve the OneTouch request" in what_still_works("sms")


def test_where_both_methods_share_one_service_it_is_not_offered(authy_settings, db):
    assert "Text messages go through the same service" in what_still_works("push")
    assert "OneTouch requests to the Authy app go through the same service" in what_still_works(
        "sms"
    )


def test_a_refusal_is_not_an_outage_so_the_other_method_is_offered(authy_settings, db):
    refused = ProviderError(ErrorKind.REJECTED, code="60027")
    assert what_still_works("push", refused) == "Use an SMS token instead."
    down = ProviderError(ErrorKind.TIMEOUT)
    assert "same service" in what_still_works("push", down)


def test_push_without_an_enrolled_app_points_to_the_app_and_to_sms(twilio_settings, db):
    twilio_settings.TWILIO_VERIFY_APP_NAME = "the Acme Secure app"
    no_app = ProviderError(ErrorKind.REJECTED, code="no_factor")
    assert what_still_works("push", no_app) == (
        "OneTouch needs the Acme Secure app set up on your phone. Use an SMS token instead."
    )


def test_when_the_shared_service_is_down_backup_codes_are_offered(authy_settings, db):
    assert "backup codes" in what_still_works("push")
