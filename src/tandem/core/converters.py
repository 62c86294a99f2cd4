"""The ``<id:…>`` URL converter: database ids only.

Django's ``<int:…>`` matches any run of digits, so ``/topics/100000000000000000000/`` reached
the database with a number no integer column can hold, and answered 500 (SQLite raises
OverflowError, PostgreSQL a DataError). An id is at most a signed 64-bit integer; anything
larger is simply not a page, so it does not match and the answer is 404 like any missing id.
"""

from __future__ import annotations

from django.urls import register_converter

MAX_ID = 2**63 - 1


class IdConverter:
    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            # A ValueError here tells the resolver this pattern does not match.
            raise ValueError("an id no database column can hold")
        return number

    def to_url(self, value: int | str) -> str:
        return str(int(value))


# At import, so once per process even when app registries are rebuilt (tests): CoreConfig.ready
# imports this module before any URLconf is read.
register_converter(IdConverter, "id")
