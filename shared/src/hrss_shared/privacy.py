"""Personal data in API answers: typed fields masked without ``pii:read``, and the audit of unmasked reads.

A response model types its personal fields as :data:`PersonIdNumber`, :data:`Phone`, :data:`BankAccount`
or :data:`BirthDate` (or :data:`FreeData` for untyped event data, masked by key name). When the answer is
serialised, each such field asks the request's :class:`Disclosure`: a client without ``pii:read`` gets the
masked value; a client with it gets the value and the disclosure remembers what it saw, which becomes the
request's audit rows. Outside a request every personal field is masked. So a new endpoint can forget
neither masking nor audit: both follow from the response model's types.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import unquote

from pydantic import PlainSerializer

from hrss_shared.logs import correlation_id

PURPOSE_HEADER = "X-Purpose"
ID_LIKE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
ID_NUMBER, PHONE, BANK_ACCOUNT, BIRTH_DATE = "id_number", "phone", "bank_account", "birth_date"


def mask_id(value: str) -> str:
    """``330802199001011234`` → ``3308**********1234``."""
    return value[:4] + "*" * max(len(value) - 8, 0) + value[-4:] if len(value) > 8 else "*" * len(value)


def mask_phone(value: str) -> str:
    """``13857012345`` → ``138****2345``."""
    return value[:3] + "*" * max(len(value) - 7, 0) + value[-4:] if len(value) > 7 else "*" * len(value)


def mask_bank(value: str) -> str:
    """All but the last four digits."""
    return "*" * max(len(value) - 4, 0) + value[-4:]


def mask_birth(value: str) -> str:
    """The birth date inside an ID number is masked with it: ``1990-05-17`` → ``1990-**-**``."""
    return value[:4] + "-**-**" if len(value) >= 4 else "*" * len(value)


MASKERS: dict[str, Callable[[str], str]] = {
    ID_NUMBER: mask_id, PHONE: mask_phone, BANK_ACCOUNT: mask_bank, BIRTH_DATE: mask_birth,
}


def kind_of_key(key: str) -> str | None:
    """The kind of personal data a field of untyped data holds, by its name (``*_id_number`` is an ID)."""
    if key in MASKERS:
        return key
    return ID_NUMBER if key.endswith("_id_number") else None



@dataclass
class Disclosure:
    """What one request may see unmasked, and what it has shown so far."""

    sees_pii: bool
    subjects: set[str] = field(default_factory=set)
    kinds: set[str] = field(default_factory=set)
    audited: bool = False

    def show(self, kind: str, value: str) -> str:
        if not self.sees_pii:
            return MASKERS[kind](value)
        self.kinds.add(kind)
        if kind == ID_NUMBER:
            self.subjects.add(value)
        return value

    @property
    def disclosed(self) -> bool:
        return bool(self.kinds)

    def record(self, kinds: Iterable[str], subjects: Iterable[str]) -> None:
        """Note what an answer serialised earlier (under :func:`serialising` with ``pii:read``) shows, as
        :meth:`show` would have while serialising it: the request's audit then records it."""
        if self.sees_pii:
            self.kinds.update(kinds)
            self.subjects.update(subjects)


_current: ContextVar[Disclosure | None] = ContextVar("hrss_disclosure", default=None)


def begin(sees_pii: bool) -> Disclosure:
    """Start the current request's disclosure (called by the authentication dependency)."""
    disclosure = Disclosure(sees_pii=sees_pii)
    _current.set(disclosure)
    return disclosure


def current() -> Disclosure | None:
    return _current.get()


@contextmanager
def serialising(sees_pii: bool) -> Iterator[Disclosure]:
    """Serialise an answer ahead of any request (e.g. stored finished, to be served later): inside, personal fields
    are shown as to a client with (or without) ``pii:read``, whatever request is running; the disclosure returned
    collects what was shown, for :meth:`Disclosure.record` when the stored answer is served."""
    disclosure = Disclosure(sees_pii=sees_pii)
    token = _current.set(disclosure)
    try:
        yield disclosure
    finally:
        _current.reset(token)


def _show(kind: str) -> Callable[[str], str]:
    def serialize(value: str) -> str:
        disclosure = _current.get()
        return MASKERS[kind](value) if disclosure is None else disclosure.show(kind, value)

    return serialize


def _show_mapping(value: Mapping[str, Any]) -> dict[str, Any]:
    disclosure = _current.get()

    def walk(item: Mapping[str, Any]) -> dict[str, Any]:
        out = dict(item)
        for key, inner in item.items():
            if isinstance(inner, str):
                kind = kind_of_key(key)
                if kind is not None:
                    out[key] = MASKERS[kind](inner) if disclosure is None else disclosure.show(kind, inner)
            elif isinstance(inner, Mapping):
                out[key] = walk(inner)
            elif isinstance(inner, list):
                out[key] = [walk(v) if isinstance(v, Mapping) else v for v in inner]
        return out

    return walk(value)


def _show_text(value: str) -> str:
    disclosure = _current.get()
    return ID_LIKE.sub(
        lambda m: mask_id(m.group(0)) if disclosure is None else disclosure.show(ID_NUMBER, m.group(0)), value
    )


# Response field types. Inputs keep their validating types (``IdNumber`` …); these only shape answers.
PersonIdNumber = Annotated[str, PlainSerializer(_show(ID_NUMBER), return_type=str)]
Phone = Annotated[str, PlainSerializer(_show(PHONE), return_type=str)]
BankAccount = Annotated[str, PlainSerializer(_show(BANK_ACCOUNT), return_type=str)]
BirthDate = Annotated[str, PlainSerializer(_show(BIRTH_DATE), return_type=str)]
# Untyped data (an event's fields kept as a record): personal fields found by their names.
FreeData = Annotated[dict[str, Any], PlainSerializer(_show_mapping, return_type=dict[str, Any])]
# Free text that may quote ID numbers (e.g. a rejected import line): every ID-like run is treated as one.
FreeText = Annotated[str, PlainSerializer(_show_text, return_type=str)]


PURPOSE_MAX = 500


def purpose(raw: str | None) -> str | None:
    """``X-Purpose``: why the data is read; non-ASCII text arrives percent-encoded UTF-8 (checked at the edge
    by the request middleware: one line of printable text, at most ``PURPOSE_MAX`` characters)."""
    return unquote(raw).strip()[:PURPOSE_MAX] if raw else None


def audit_rows(
    disclosure: Disclosure, *, client_id: str, client_name: str, action: str, purpose_text: str | None,
) -> list[dict[str, Any]]:
    """One audit row per person whose ID number was shown (one without subject if only other data was)."""
    if not disclosure.disclosed or disclosure.audited:
        return []
    fields = sorted(disclosure.kinds)
    subjects: list[str | None] = [*sorted(disclosure.subjects)] or [None]
    now = datetime.now(UTC)
    return [
        {
            "at": now, "client_id": client_id, "client_name": client_name, "action": action[:300],
            "subject": subject, "purpose": purpose_text, "correlation_id": correlation_id.get(), "fields": fields,
        }
        for subject in subjects
    ]
