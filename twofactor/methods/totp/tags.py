"""The audit tags of authenticator apps, and their words for the Activity page (listed
under "Second factor"; the method registers them: ``Method.audit_words``)."""

import enum


class AppTag(enum.StrEnum):
    AUTHENTICATOR_APP_ADDED = "account:two_factor:authenticator_app_added"
    AUTHENTICATOR_APP_REMOVED = "account:two_factor:authenticator_app_removed"
    AUTHENTICATOR_APP_SETUP_REJECTED = "account:two_factor:authenticator_app_setup_rejected"


WORDS = {
    AppTag.AUTHENTICATOR_APP_ADDED: "Turned on an authenticator app",
    AppTag.AUTHENTICATOR_APP_REMOVED: "Removed an authenticator app",
    AppTag.AUTHENTICATOR_APP_SETUP_REJECTED: "Typed a wrong code while setting up an app",
}
