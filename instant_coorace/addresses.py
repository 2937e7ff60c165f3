"""How every email address is stored and looked up (people who register, staff
accounts): stripped and lower-cased, which makes the unique constraints on them
case-insensitive."""

from __future__ import annotations


def stored_email(address: str) -> str:
    return address.strip().lower()
