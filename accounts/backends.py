"""Sign in by email, and load the signed-in person on every request.

The person comes with their firm and client in one query, so the second-factor policy and
the pages read them without another. That query runs on every request, and building it
with the ORM cost about ten times running it (0.3 ms against 0.03 ms in the profile of a
verified page; the client's join alone, 0.07 ms to build, 3 us to run). Its SQL, columns
and converters never change while the process runs, so the ORM builds them once
(:func:`person_query`) and each request only executes them.
"""

from dataclasses import dataclass
from functools import cache

from django.contrib.auth.backends import ModelBackend
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model

from accounts.models import Client, Firm, User

RELATED = ("firm", "client")  # loaded with the person, in the SELECT's order


@dataclass(frozen=True)
class PersonQuery:
    """The ORM's own SELECT of a person by primary key with their firm and client."""

    sql: str
    # (model, attnames) for the person, then each of RELATED, in the SELECT's order.
    parts: list[tuple[type[Model], list[str]]]
    # Column position -> (converters, expression), as the ORM applies them. They are the
    # backend's and the fields' functions: they read settings (SQLite's datetime one, the
    # time zone its wrapper was configured with), never a database connection's state, so
    # they serve every thread.
    converters: dict


@cache
def person_query(alias: str, vendor: str) -> PersonQuery:
    """Built once per process and database (``vendor`` keys the cache: the SQL is its)."""
    query = User.objects.select_related(*RELATED).filter(pk=0).order_by().query
    compiler = query.get_compiler(alias)
    sql, params = compiler.as_sql()
    if list(params) != [0]:
        raise RuntimeError(f"the person query has unexpected parameters: {params!r}")
    columns = [expression for expression, _, _ in compiler.select]
    parts: list[tuple[type[Model], list[str]]] = []
    for column in columns:
        model = column.target.model
        if not parts or parts[-1][0] is not model:
            parts.append((model, []))
        parts[-1][1].append(column.target.attname)
    if [model for model, _ in parts] != [User, Firm, Client]:
        raise RuntimeError(f"the person query selects {parts!r}, not person, firm, client")
    return PersonQuery(sql, parts, compiler.get_converters(columns))


def load_person(user_id: int, alias: str = DEFAULT_DB_ALIAS) -> User | None:
    """The person with primary key ``user_id``, their firm and client, or None."""
    connection = connections[alias]
    query = person_query(alias, connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(query.sql, [User._meta.pk.get_db_prep_value(user_id, connection)])
        row = cursor.fetchone()
    if row is None:
        return None
    row = list(row)
    for position, (converters, expression) in query.converters.items():
        for convert in converters:
            row[position] = convert(row[position], expression, connection)
    (_, person_fields), *related = query.parts
    start = len(person_fields)
    person = User.from_db(alias, person_fields, row[:start])
    for name, (model, fields) in zip(RELATED, related, strict=True):
        values = row[start:start + len(fields)]
        start += len(fields)
        field = User._meta.get_field(name)
        # An employee has no client: the joined columns are all NULL.
        found = getattr(person, field.attname) is not None
        field.set_cached_value(person, model.from_db(alias, fields, values) if found else None)
    return person


class EmailBackend(ModelBackend):
    """ModelBackend by email. For an unknown email it still runs the password hasher
    (ModelBackend does), and an inactive person is refused only after the hasher ran."""

    def get_user(self, user_id: int) -> User | None:
        user = load_person(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
