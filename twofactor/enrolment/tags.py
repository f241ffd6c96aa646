"""The audit tags of a first sign-in's set-up, and their words for the Activity page."""

import enum


class EnrolmentTag(enum.StrEnum):
    WINDOW_OPENED = "account:enrolment:window_opened"
    REFUSED = "account:enrolment:refused"
    CODE_SENT = "account:enrolment:code_sent"
    CODE_REJECTED = "account:enrolment:code_rejected"
    CODE_ACCEPTED = "account:enrolment:code_accepted"
    FIRST_FACTOR_SET_UP = "account:enrolment:first_factor_set_up"


WORDS = {
    EnrolmentTag.WINDOW_OPENED: "Had a set-up window opened",
    EnrolmentTag.REFUSED: "Could not set up a first way to sign in: no set-up window open",
    EnrolmentTag.CODE_SENT: "Was emailed a set-up code",
    EnrolmentTag.CODE_REJECTED: "Typed a wrong or expired set-up code",
    EnrolmentTag.CODE_ACCEPTED: "Proved their email with a set-up code",
    EnrolmentTag.FIRST_FACTOR_SET_UP: "Set up their first way to sign in",
}
