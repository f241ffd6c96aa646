"""Django's database cache with an atomic ``incr``, so rate-limit counters hold across workers.

Django's own ``incr`` reads then writes; two workers can both read 3 and both write 4. Here
the read and the write happen in one transaction holding the row: ``SELECT ... FOR UPDATE``
where the database has it, and SQLite's immediate transactions (settings.py) elsewhere.
"""

from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import connections, router, transaction


class DatabaseCache(DjangoDatabaseCache):
    def incr(self, key: str, delta: int = 1, version: int | None = None) -> int:
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        with transaction.atomic(using=db):
            if connection.features.has_select_for_update:
                table = connection.ops.quote_name(self._table)
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"SELECT cache_key FROM {table} WHERE cache_key = %s FOR UPDATE",  # noqa: S608
                        [self.make_and_validate_key(key, version=version)],
                    )
            return super().incr(key, delta, version)
