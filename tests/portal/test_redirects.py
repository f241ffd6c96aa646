"""``next`` goes only to a path on this host that a sign-in attempt can keep."""

import pytest
from django.test import RequestFactory

from portal.redirects import MAX_NEXT_LENGTH, safe_next


def next_of(value: str) -> str:
    return safe_next(RequestFactory().get("/login/", {"next": value}), "home")


@pytest.mark.parametrize("value", ["/manage/\x00", "/x\r\nLocation: /evil", "/a\x7f", "/a\x85"])
def test_a_next_with_a_control_character_is_dropped(value):
    assert next_of(value) == "home"


def test_a_next_longer_than_the_column_is_dropped():
    assert next_of("/" + "a" * (MAX_NEXT_LENGTH - 1)) == "/" + "a" * (MAX_NEXT_LENGTH - 1)
    assert next_of("/" + "a" * MAX_NEXT_LENGTH) == "home"


def test_a_same_host_path_is_kept_and_a_foreign_one_dropped():
    assert next_of("/manage/activity/?kind=x") == "/manage/activity/?kind=x"
    assert next_of("//evil.example/") == "home"
