"""Password hashing (scrypt, slow on purpose) and opaque bearer tokens."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32
    )
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        actual = hashlib.scrypt(
            password.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=32,
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, base64.b64decode(digest))


@functools.cache
def dummy_hash() -> str:
    """A hash to check against when the user does not exist, so timing does not reveal
    usernames (made at the first login, not at import: a scrypt costs every CLI command 50 ms)."""
    return hash_password(secrets.token_urlsafe(12))


def new_token() -> str:
    """256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def new_kiosk_key() -> str:
    """A kiosk's key: 192 random bits, URL-safe (it travels in the kiosk's setup link)."""
    return secrets.token_urlsafe(24)


def key_matches(key: str, digest: str) -> bool:
    """Whether `key` is the one whose token_digest is `digest` (in constant time)."""
    return hmac.compare_digest(token_digest(key), digest)


def token_digest(token: str) -> str:
    """Only this digest is stored: a leaked database holds no usable token."""
    return hashlib.sha256(token.encode()).hexdigest()
