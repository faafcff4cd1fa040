"""Password hashers for accounts brought in from other platforms, so their owners can still sign in.

Imported hashes are stored as ``<algorithm>$<the original hash>``. On the first successful sign-in
Django stores the password again with the preferred hasher (``must_update`` is always true).
"""

import base64
import hashlib
import hmac
from typing import Any

import bcrypt
from django.contrib.auth.hashers import BasePasswordHasher, mask_hash
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_noop

PASSLIB_PREFIX = "$bcrypt-sha256$"
BCRYPT_IDENTS = frozenset({"2a", "2b", "2y"})
BCRYPT_SALT_LENGTH = 22
BCRYPT_CHECKSUM_LENGTH = 31
BCRYPT_PASSWORD_LIMIT = 72  # bytes: bcrypt ignored what came after, so the hashes were made that way


def _passlib_key(version: int, salt: str, password: bytes) -> bytes:
    """What passlib's bcrypt_sha256 gives bcrypt: base64 of SHA-256 (v1) or of HMAC-SHA256 keyed by the salt (v2)."""
    if version == 1:
        digest = hashlib.sha256(password).digest()
    else:
        digest = hmac.new(salt.encode("ascii"), password, hashlib.sha256).digest()
    return base64.b64encode(digest)


def _parse_passlib(original: str) -> tuple[int, str, int, str, str]:
    """(version, ident, rounds, salt, checksum) of ``$bcrypt-sha256$v=2,t=2b,r=12$salt$sum`` or ``…$2a,12$salt$sum``."""
    params, salt, checksum = original.removeprefix(PASSLIB_PREFIX).split("$")
    if params.startswith("v="):
        fields = dict(part.split("=", 1) for part in params.split(","))
        version, ident, rounds = int(fields["v"]), fields["t"], int(fields["r"])
    else:
        ident, rounds_text = params.split(",")
        version, rounds = 1, int(rounds_text)
    if version not in (1, 2) or ident not in BCRYPT_IDENTS or not 4 <= rounds <= 31:
        raise ValueError("unsupported bcrypt-sha256 parameters")
    if len(salt) != BCRYPT_SALT_LENGTH or len(checksum) != BCRYPT_CHECKSUM_LENGTH:
        raise ValueError("malformed bcrypt-sha256 hash")
    return version, ident, rounds, salt, checksum


class CTFdBcryptSHA256PasswordHasher(BasePasswordHasher):
    """Checks passwords against hashes exported by CTFd: passlib ``bcrypt_sha256`` (v1 and v2) or plain bcrypt."""

    algorithm = "ctfd_bcrypt_sha256"
    library = "bcrypt"
    rounds = 12

    def salt(self) -> str:
        return bcrypt.gensalt(self.rounds).decode("ascii")[-BCRYPT_SALT_LENGTH:]

    def encode(self, password: str, salt: str) -> str:
        """A passlib v2 hash, in case one is ever made here (accounts are normally moved to the preferred hasher)."""
        key = _passlib_key(2, salt, password.encode())
        hashed = bcrypt.hashpw(key, f"$2b${self.rounds:02d}${salt}".encode("ascii")).decode("ascii")
        checksum = hashed[-BCRYPT_CHECKSUM_LENGTH:]
        return f"{self.algorithm}${PASSLIB_PREFIX}v=2,t=2b,r={self.rounds}${salt}${checksum}"

    def decode(self, encoded: str) -> dict[str, Any]:
        algorithm, original = encoded.split("$", 1)
        if algorithm != self.algorithm:
            raise ValueError("not a ctfd_bcrypt_sha256 hash")
        if original.startswith(PASSLIB_PREFIX):
            version, ident, rounds, salt, checksum = _parse_passlib(original)
        else:
            ident, rounds_text, rest = original.removeprefix("$").split("$")
            version, rounds = 0, int(rounds_text)
            salt, checksum = rest[:BCRYPT_SALT_LENGTH], rest[BCRYPT_SALT_LENGTH:]
            if ident not in BCRYPT_IDENTS or len(checksum) != BCRYPT_CHECKSUM_LENGTH:
                raise ValueError("malformed bcrypt hash")
        return {
            "algorithm": algorithm,
            "version": version,
            "ident": ident,
            "iterations": rounds,
            "salt": salt,
            "checksum": checksum,
        }

    def verify(self, password: str, encoded: str) -> bool:
        try:
            parts = self.decode(encoded)
        except (ValueError, KeyError):
            return False
        secret = password.encode()
        config = f"${parts['ident']}${parts['iterations']:02d}${parts['salt']}".encode("ascii")
        if parts["version"]:
            secret = _passlib_key(parts["version"], parts["salt"], secret)
        else:
            secret = secret[:BCRYPT_PASSWORD_LIMIT]
        try:
            hashed = bcrypt.hashpw(secret, config).decode("ascii")
        except ValueError:
            return False
        return constant_time_compare(hashed[-BCRYPT_CHECKSUM_LENGTH:], parts["checksum"])

    def safe_summary(self, encoded: str) -> dict[Any, Any]:
        parts = self.decode(encoded)
        return {
            gettext_noop("algorithm"): parts["algorithm"],
            gettext_noop("version"): parts["version"],
            gettext_noop("work factor"): parts["iterations"],
            gettext_noop("salt"): mask_hash(parts["salt"]),
            gettext_noop("checksum"): mask_hash(parts["checksum"]),
        }

    def must_update(self, encoded: str) -> bool:
        return True

    def harden_runtime(self, password: str, encoded: str) -> None:
        pass  # every imported hash is replaced at its first successful use, so none lingers to be timed
