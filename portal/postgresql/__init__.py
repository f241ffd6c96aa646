"""Django's PostgreSQL backend, with a pool that answers quickly when the server is down
(``portal.postgresql.base``)."""
