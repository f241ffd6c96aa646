"""A test SMS backend: texts land in ``OUTBOX`` (number, body), newest last."""

OUTBOX: list[tuple[str, str]] = []


class OutboxSmsBackend:
    def send(self, number: str, body: str) -> None:
        OUTBOX.append((number, body))


def texts_to(number: str) -> list[str]:
    return [body for to, body in OUTBOX if to == number]
