"""The one host-name normaliser: what a tenant types, what DNS is asked about and what resolve looks up
are the same string (UTS #46 / IDNA 2008 through the `idna` package, not Python's IDNA 2003 codec,
which maps `straße.de` to the different name `strasse.de`)."""
from __future__ import annotations

import re

import idna

_LABEL_RE = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")


def host_normalize(value: object, *, port: bool = False) -> str | None:
    """`value` as the stored form of a host name, or None when it is not one.

    Lower-case, one trailing dot dropped, IDN labels as punycode (UTS #46 mapping, IDNA 2008 rules);
    with `port=True` a `:<digits>` suffix (a Host header's) is dropped first, before the dot.
    Matches tenant_hosts' CHECK: LDH labels of 1-63 characters, 253 at most in all."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if port:
        name, sep, digits = text.rpartition(":")
        if sep and digits.isdigit() and ":" not in name:
            text = name
    if text.endswith("."):
        text = text[:-1]
    if not text or text.startswith(".") or ".." in text:
        return None
    try:
        text = idna.encode(text, uts46=True).decode("ascii") if not text.isascii() else text.lower()
        if any(label.startswith("xn--") for label in text.split(".")):
            idna.decode(text)  # punycode that is not valid IDNA 2008 names no host
    except (idna.IDNAError, UnicodeError, ValueError):
        return None
    if len(text) > 253 or not all(_LABEL_RE.match(label) for label in text.split(".")):
        return None
    return text
