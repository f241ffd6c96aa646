"""The bench server's SMS backend: each number's latest text in a file the harness reads.

The local provider hands its texts to SMS_BACKEND; here that is a file per number in
BENCH_SMS_DIR (written whole, then renamed, so a reader never sees half a text). It costs
the server about what the console backend does, and less than a carrier's API call.
"""

import os
import re
from pathlib import Path

TOKEN = re.compile(r"\b(\d{6,10})\b")


class FileSmsBackend:
    def send_messages(self, messages: list) -> int:
        folder = Path(os.environ["BENCH_SMS_DIR"])
        for message in messages:
            target = folder / message.to
            temporary = target.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_text(message.body)
            temporary.replace(target)
        return len(messages)


def latest_token(folder: Path, number: str) -> str:
    """The token in the latest text to ``number`` ("" if none arrived)."""
    try:
        match = TOKEN.search((folder / number).read_text())
    except FileNotFoundError:
        return ""
    return match.group(1) if match else ""
