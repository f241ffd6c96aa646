"""Keyset pagination: a page starts where the previous one ended, not at an OFFSET.

``OFFSET n`` makes the database walk n rows, and a page count needs ``COUNT(*)`` over the
whole firm; at 100,000 people both grow with the firm. A cursor (the sort key of the row a
page ended at) costs one index seek on any page, and fetching one extra row says whether
another page follows. Cursors are signed, so a tampered one is simply the first page.
"""

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core import signing
from django.db.models import Q, QuerySet

_SALT = "manage.paging"


class _KeySerializer:
    """JSON with datetimes as full-precision ISO text (DjangoJSONEncoder drops
    microseconds, which would skip rows that share a millisecond)."""

    @staticmethod
    def _default(o: Any) -> Any:
        if isinstance(o, datetime):
            return o.isoformat()
        raise TypeError(f"{type(o).__name__} cannot be a page cursor")

    def dumps(self, obj: Any) -> bytes:
        return json.dumps(obj, separators=(",", ":"), default=self._default).encode("latin-1")

    def loads(self, data: bytes) -> Any:
        return json.loads(data.decode("latin-1"))


@dataclass
class Page:
    items: list[Any]
    next_cursor: str = ""
    previous_cursor: str = ""
    first: bool = True
    ordering: list[str] = field(default_factory=list)

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_cursor or self.previous_cursor)


def _key(item: Any, names: list[str]) -> list[Any]:
    return [getattr(item, name) for name in names]


def _cursor(direction: str, key: list[Any]) -> str:
    return signing.dumps({"d": direction, "k": key}, salt=_SALT, serializer=_KeySerializer)


def _read_cursor(cursor: str, size: int) -> tuple[str, list[Any]] | None:
    if not cursor or len(cursor) > 1000:
        return None
    try:
        data = signing.loads(cursor, salt=_SALT, serializer=_KeySerializer)
    except (signing.BadSignature, ValueError):
        return None
    if not isinstance(data, dict) or data.get("d") not in ("n", "p"):
        return None
    key = data.get("k")
    if not isinstance(key, list) or len(key) != size:
        return None
    return data["d"], key


def _beyond(names: list[str], key: list[Any], descending: bool) -> Q:
    """Rows after ``key`` in the order of ``names`` (all ascending or all descending).

    The leading ``>=`` on the first column gives the database an index range to scan; the
    OR then breaks ties on the following columns.
    """
    op = "lt" if descending else "gt"
    ties = Q()
    for i, name in enumerate(names):
        step = Q(**{f"{n}": v for n, v in zip(names[:i], key[:i], strict=True)})
        ties |= step & Q(**{f"{name}__{op}": key[i]})
    return Q(**{f"{names[0]}__{op}e": key[0]}) & ties


def paginate(queryset: QuerySet, ordering: list[str], cursor: str = "", size: int = 50) -> Page:
    """One page of ``queryset`` in ``ordering`` (e.g. ``["full_name", "id"]``, a unique key,
    all ascending or all descending, like ``["-created_at", "-id"]``)."""
    descending = ordering[0].startswith("-")
    names = [name.lstrip("-") for name in ordering]
    reverse = [f"{'' if descending else '-'}{name}" for name in names]
    position = _read_cursor(cursor, len(names))
    if position is None:
        rows = list(queryset.order_by(*ordering)[: size + 1])
        more = len(rows) > size
        rows = rows[:size]
        return Page(rows, _cursor("n", _key(rows[-1], names)) if more else "", "", True, ordering)
    direction, key = position
    if direction == "n":
        rows = list(
            queryset.filter(_beyond(names, key, descending)).order_by(*ordering)[: size + 1]
        )
        more = len(rows) > size
        rows = rows[:size]
        next_cursor = _cursor("n", _key(rows[-1], names)) if more and rows else ""
        previous_cursor = _cursor("p", _key(rows[0], names)) if rows else ""
        return Page(rows, next_cursor, previous_cursor, False, ordering)
    rows = list(queryset.filter(_beyond(names, key, not descending)).order_by(*reverse)[: size + 1])
    more = len(rows) > size
    rows = list(reversed(rows[:size]))
    next_cursor = _cursor("n", _key(rows[-1], names)) if rows else ""
    previous_cursor = _cursor("p", _key(rows[0], names)) if more and rows else ""
    return Page(rows, next_cursor, previous_cursor, not more, ordering)
