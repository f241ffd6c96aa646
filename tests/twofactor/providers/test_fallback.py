"""After a provider failure the page offers the other method only where it can work."""

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
