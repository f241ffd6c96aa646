"""A phone with the Partner Portal app, in Python: the key the app makes with WebCrypto, and
the signed calls it makes (canonical JSON, raw r||s signatures)."""

from __future__ import annotations

import json
import re

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from twofactor.methods.push.portal_app.signatures import b64url, canonical


def link_secret(page_html: str) -> str:
    """The secret in the set-up page's "Link for your phone"."""
    return re.search(r"/app/pair/#([A-Za-z0-9_\-]+)", page_html).group(1)


class Phone:
    def __init__(self, client, name: str = "Work phone") -> None:
        self.client, self.name = client, name
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.device: str | None = None
        self.code: str | None = None

    @property
    def public_key(self) -> str:
        return b64url(self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))

    def post(self, path: str, body: dict):
        return self.client.post(path, json.dumps(body), content_type="application/json")

    def pair(self, secret: str):
        response = self.post("/app/api/pair", {"secret": secret, "name": self.name,
                                               "public_key": self.public_key})
        if response.status_code == 201:
            self.device, self.code = response.json()["device"], response.json()["code"]
        return response

    def sign(self, payload: dict | str, key: ec.EllipticCurvePrivateKey | None = None) -> dict:
        text = payload if isinstance(payload, str) else canonical(payload)
        der = (key or self.key).sign(text.encode(), ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        return {"payload": text, "signature": b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))}

    def challenge(self) -> str:
        response = self.post("/app/api/challenge", {"device": self.device})
        return response.json().get("challenge", "") if response.status_code == 200 else ""

    def listing(self, **changes):
        payload = {"challenge": self.challenge(), "device": self.device, "purpose": "list",
                   **changes}
        return self.post("/app/api/requests", self.sign(payload))

    def pending(self) -> list[dict]:
        response = self.listing()
        assert response.status_code == 200, response.content
        return response.json()["requests"]

    def answer_payload(self, listed: dict, action: str = "approve", pick: int | None = None,
                       **changes) -> dict:
        return {"action": action, "device": self.device, "nonce": listed["nonce"],
                "pick": pick if action == "approve" else None, "purpose": "answer",
                "request": listed["id"], **changes}

    def answer(self, listed: dict, action: str = "approve", pick: int | None = None, **changes):
        return self.post("/app/api/answer",
                         self.sign(self.answer_payload(listed, action, pick, **changes)))

    def subscribe(self, subscription: dict):
        payload = {"auth": subscription["keys"]["auth"], "challenge": self.challenge(),
                   "device": self.device, "endpoint": subscription["endpoint"],
                   "p256dh": subscription["keys"]["p256dh"], "purpose": "subscribe"}
        return self.post("/app/api/subscription", self.sign(payload))
