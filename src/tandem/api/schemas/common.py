"""What every part of the API shares: errors, pages of results, the person asking."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from ninja import Schema
from pydantic import Field

ItemT = TypeVar("ItemT")

# Ids and page numbers as the database can hold them: a number past a 64-bit integer is
# refused as malformed (422) rather than reaching SQLite, which cannot bind it.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
PageNumber = Annotated[int, Field(ge=1, le=1_000_000)]


class ErrorOut(Schema):
    detail: str = Field(description="What went wrong, in a sentence for people.")
    code: str = Field(description="What went wrong, in a word for programs.")
    fields: dict[str, list[str]] = Field(
        default_factory=dict, description="For bad input: the messages by field."
    )


class Page(Schema, Generic[ItemT]):
    items: list[ItemT]
    page: int
    pages: int
    count: int


class MeOut(Schema):
    id: int
    pseudonym: str
    roles: list[str]
    organisation_ids: list[int]
