"""The cryptography of the ballot store (issue 16), and nothing else: no models, no queries, so the
migrations can use it too. All of it is libsodium (PyNaCl) and pycryptodome's Shamir sharing; nothing here
is cryptography of our own.

* A ballot box has an X25519 key pair. A choice is sealed to its public key (``crypto_box_seal``: an
  ephemeral key per ballot, so two equal choices give unrelated ciphertexts) in the web process, before
  anything touches the database. The plaintext is padded to a fixed size so the ciphertext's length says
  nothing about the choice (``"100"`` is longer than ``"40"``).
* The private key (32 bytes) is either split among trustees, Shamir t of n over GF(2^128) — pycryptodome
  shares 16-byte secrets, so each half is shared with the same trustee numbers and a trustee's share is the
  two halves' shares side by side — or, in the weaker server mode, sealed with a key from the server's
  secret store (``RATING_KEY_FILE``; without it, a key derived from ``SECRET_KEY``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nacl.encoding
import nacl.exceptions
import nacl.hash
import nacl.public
import nacl.secret
import nacl.utils
from Crypto.Protocol.SecretSharing import Shamir

PLAIN_SIZE = 512  # bytes of every plaintext, padded with spaces (JSON ignores trailing whitespace)
SEALED_SIZE = PLAIN_SIZE + 48  # an ephemeral public key (32) and the MAC (16)
# A written remark (issue 19: 党员互评, 群众意见) is padded to its own fixed size: every remark's ciphertext
# is as long as every other's, whatever it says. 500 characters escaped by JSON at their worst (a control
# character is six bytes) fit.
REMARK_MAX_LENGTH = 500
REMARK_PLAIN_SIZE = 4096
MAX_TRUSTEES = 9


class SealingError(Exception):
    """Shares or a key that do not open the box (too few, mistyped, from another campaign)."""


def keypair_new() -> tuple[str, bytes]:
    """A fresh key pair: (public key as hex, private key bytes)."""
    private = nacl.public.PrivateKey.generate()
    return private.public_key.encode(nacl.encoding.HexEncoder).decode("ascii"), bytes(private)


def public_of(private: bytes) -> str:
    return nacl.public.PrivateKey(private).public_key.encode(nacl.encoding.HexEncoder).decode("ascii")


def seal(public_key: str, *, subject: int, answers: dict[int, int]) -> bytes:
    """One choice (a subject — a secretary, a member — and the value given per question) sealed to the box."""
    plain = json.dumps(
        {"s": subject, "a": {str(k): v for k, v in sorted(answers.items())}}, separators=(",", ":")
    ).encode("ascii")
    if len(plain) > PLAIN_SIZE:
        raise ValueError("choice too large to seal")
    plain = plain.ljust(PLAIN_SIZE, b" ")
    box = nacl.public.SealedBox(nacl.public.PublicKey(public_key, encoder=nacl.encoding.HexEncoder))
    return bytes(box.encrypt(plain))


def seal_remark(public_key: str, *, subject: int, question: int, text: str) -> bytes:
    """A written remark (on a subject, under a question: a comment, an opinion) sealed to the box, padded to
    ``REMARK_PLAIN_SIZE`` so its length says nothing about the text."""
    if len(text) > REMARK_MAX_LENGTH:
        raise ValueError("remark too long to seal")
    plain = json.dumps({"s": subject, "a": {}, "q": question, "t": text}, separators=(",", ":")).encode(
        "ascii"
    )
    if len(plain) > REMARK_PLAIN_SIZE:
        raise ValueError("remark too large to seal")
    plain = plain.ljust(REMARK_PLAIN_SIZE, b" ")
    box = nacl.public.SealedBox(nacl.public.PublicKey(public_key, encoder=nacl.encoding.HexEncoder))
    return bytes(box.encrypt(plain))


class Opener:
    """Decrypts sealed choices with a private key held only in this object (and dropped with it)."""

    def __init__(self, private: bytes):
        self._box = nacl.public.SealedBox(nacl.public.PrivateKey(private))

    def open(self, sealed: bytes | memoryview) -> tuple[int, dict[int, int]]:  # a BinaryField's value
        subject, answers, _remark = self.read(sealed)
        return subject, answers

    def read(self, sealed: bytes | memoryview) -> tuple[int, dict[int, int], tuple[int, str] | None]:
        """A choice or a remark: (subject, answers, (question, text) for a remark or None)."""
        data = json.loads(self._box.decrypt(bytes(sealed)))
        remark = (int(data["q"]), str(data["t"])) if "t" in data else None
        return int(data["s"]), {int(k): int(v) for k, v in data["a"].items()}, remark


# --- trustees' shares -------------------------------------------------------------------------------------

_SHARE = re.compile(r"^([1-9])-([0-9a-f]{64})$")


def shares_split(private: bytes, *, threshold: int, trustees: int) -> list[str]:
    """The private key as ``trustees`` shares, any ``threshold`` of which rebuild it: ``"<n>-<64 hex>"``."""
    if not 2 <= threshold <= trustees <= MAX_TRUSTEES:
        raise ValueError("threshold and trustees out of range")
    low = Shamir.split(threshold, trustees, private[:16])
    high = Shamir.split(threshold, trustees, private[16:])
    return [f"{i}-{a.hex()}{b.hex()}" for (i, a), (j, b) in zip(low, high) if i == j]


def share_display(share: str) -> str:
    number, digits = share.split("-")
    return number + "-" + " ".join(digits[i : i + 8] for i in range(0, len(digits), 8))


def share_parse(raw: str) -> tuple[int, bytes]:
    """A typed or scanned share: spaces, case and line breaks do not matter."""
    text = re.sub(r"\s+", "", raw).lower()
    match = _SHARE.match(text)
    if not match:
        raise SealingError("not a share")
    return int(match[1]), bytes.fromhex(match[2])


def shares_combine(raw_shares: list[str], *, public_key: str) -> bytes:
    """The private key rebuilt from shares; refused unless it matches the box's public key (fewer than t
    shares, a mistyped one or one of another campaign rebuild some other number)."""
    parsed: dict[int, bytes] = {}
    for raw in raw_shares:
        if raw.strip():
            number, value = share_parse(raw)
            parsed[number] = value
    if len(parsed) < 2:
        raise SealingError("too few shares")
    low = Shamir.combine([(n, v[:16]) for n, v in parsed.items()])
    high = Shamir.combine([(n, v[16:]) for n, v in parsed.items()])
    private = low + high
    if public_of(private) != public_key:
        raise SealingError("the shares do not open this box")
    return private


# --- the server's key (the weaker mode) ------------------------------------------------------------------


def server_key(*, key_file: str, secret_key: str) -> bytes:
    """32 bytes from ``RATING_KEY_FILE`` (64 hex digits, or any content, hashed), else derived from
    ``SECRET_KEY``: the app servers' operator can open such boxes, which is why the mode is labelled weaker."""
    if key_file:
        content = Path(key_file).read_bytes().strip()
        if re.fullmatch(rb"[0-9a-fA-F]{64}", content):
            return bytes.fromhex(content.decode("ascii"))
        material = content
    else:
        material = secret_key.encode("utf-8")
    return nacl.hash.blake2b(
        material, digest_size=32, person=b"ratingbox-key", encoder=nacl.encoding.RawEncoder
    )


def key_wrap(private: bytes, *, key: bytes) -> str:
    return nacl.secret.SecretBox(key).encrypt(private, encoder=nacl.encoding.Base64Encoder).decode("ascii")


def key_unwrap(wrapped: str, *, key: bytes) -> bytes:
    try:
        return nacl.secret.SecretBox(key).decrypt(
            wrapped.encode("ascii"), encoder=nacl.encoding.Base64Encoder
        )
    except nacl.exceptions.CryptoError as exc:
        raise SealingError("the server key does not open this box") from exc
