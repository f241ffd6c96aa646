"""Sign in by email, and load the signed-in person on every request.

The person comes with their firm in one query: every employee's page and the second-factor
policy read the firm. An end user's client is read only where it is needed (their pages,
their policy), so employees' pages do not pay for its join.

That query runs on every request, and building it with the ORM cost about ten times
running it (0.3 ms against 0.03 ms in the profile of a verified page). Its SQL, columns and
converters never change while the process runs, so the ORM builds them once
(:func:`person_query`) and each request only executes them.
"""

from dataclasses import dataclass
from functools import cache

from django.contrib.auth.backends import ModelBackend
from django.db import DEFAULT_DB_ALIAS, connections

from accounts.models import Firm, User


@dataclass(frozen=True)
class PersonQuery:
    """The ORM's own SELECT of a person by primary key with their firm, ready to run."""

    sql: str
    person_fields: list[str]  # attnames, in the SELECT's order
    firm_fields: list[str]
    # Column position -> (converters, expression), as the ORM applies them. They are the
    # backend's and the fields' functions: they read settings (SQLite's datetime one, the
    # time zone its wrapper was configured with), never a database connection's state, so
    # they serve every thread.
    converters: dict


@cache
def person_query(alias: str, vendor: str) -> PersonQuery:
    """Built once per process and database (``vendor`` keys the cache: the SQL is its)."""
    query = User.objects.select_related("firm").filter(pk=0).order_by().query
    compiler = query.get_compiler(alias)
    sql, params = compiler.as_sql()
    if list(params) != [0]:
        raise RuntimeError(f"the person query has unexpected parameters: {params!r}")
    columns = [expression for expression, _, _ in compiler.select]
    person = [c.target.attname for c in columns if c.target.model is User]
    firm = [c.target.attname for c in columns[len(person):] if c.target.model is Firm]
    if len(person) + len(firm) != len(columns):
        raise RuntimeError("the person query selects columns of neither person nor firm")
    return PersonQuery(sql, person, firm, compiler.get_converters(columns))


def load_person(user_id: int, alias: str = DEFAULT_DB_ALIAS) -> User | None:
    """The person with primary key ``user_id`` and their firm, or None."""
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
    split = len(query.person_fields)
    person = User.from_db(alias, query.person_fields, row[:split])
    User._meta.get_field("firm").set_cached_value(
        person, Firm.from_db(alias, query.firm_fields, row[split:])
    )
    return person


class EmailBackend(ModelBackend):
    """ModelBackend by email. For an unknown email it still runs the password hasher
    (ModelBackend does), and an inactive person is refused only after the hasher ran."""

    def get_user(self, user_id: int) -> User | None:
        user = load_person(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
