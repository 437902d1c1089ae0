"""The API's JSON shapes (they make the OpenAPI schema) and the parameters routes share."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Path as PathParam
from fastapi import Query
from fastapi.security import HTTPBearer
from pydantic import BaseModel, Field

from fagui.norms import KINDS

MAX_BODY = 5 * 1024 * 1024  # bytes a request may send
DOC_ID = r"^[0-9a-f]{16}$"
EID = r"^[a-z0-9_\-]{1,200}$"


class ErrorBody(BaseModel):
    ok: Literal[False] = False
    error: str
    status: int


class DocSummary(BaseModel):
    doc_id: str
    title: str
    doc_type: str | None
    date: str | None = Field(description="the date this version was published or adopted")
    effective: str | None
    issuers: list[dict[str, str]]
    articles: int
    status: str = Field(description="in force, superseded or repealed")


class DocList(BaseModel):
    total: int
    offset: int
    limit: int
    documents: list[DocSummary]


class Version(BaseModel):
    doc_id: str
    title: str
    date: str | None
    effective: str | None
    status: str
    latest: bool


class DocOut(BaseModel):
    doc_id: str
    status: str
    versions: list[Version]
    document: dict[str, Any] = Field(description="the fagui/1 document: metadata and tree")


class ProvisionOut(BaseModel):
    doc_id: str
    title: str
    dates: dict[str, Any]
    status: str
    citation: str
    provision: dict[str, Any]
    text: str


class NormOut(BaseModel):
    article: str
    eid: str
    kind: str
    subject: str | None
    text: str
    span: list[int]
    strength: str
    action: str | None
    condition: str | None
    exception: str | None
    refs: list[str]
    enforces: list[str]
    why: str | None = Field(None, description="with ?subject=: why the norm binds it")


class NormsOut(BaseModel):
    doc_id: str
    title: str
    total: int
    definitions: dict[str, str]
    norms: list[NormOut]


class CorpusNormOut(NormOut):
    doc_id: str
    title: str


class CorpusNormsOut(BaseModel):
    total: int
    offset: int
    limit: int
    norms: list[CorpusNormOut]


class SubjectsOut(BaseModel):
    doc_id: str
    title: str
    subjects: dict[str, list[str]] = Field(description="each subject and what it is a kind of")
    definitions: dict[str, str]


class HitOut(BaseModel):
    doc_id: str
    title: str
    article: str
    eid: str
    snippet: str
    score: float


class SearchOut(BaseModel):
    query: str
    total: int
    offset: int
    hits: list[HitOut]


class RecoverIn(BaseModel):
    text: str = Field(max_length=MAX_BODY, description="the copy to recover")
    script: Literal["simplified", "traditional", "original"] = "simplified"


class ChangeOut(BaseModel):
    kind: str
    offset: int
    length: int
    original: str
    replacement: str
    reason: str


class RecoverOut(BaseModel):
    title: str
    text: str
    source: str
    original_script: str
    encoding: str | None
    counts: dict[str, int]
    changes: list[ChangeOut]


class IngestOut(BaseModel):
    source: str
    status: str
    doc_id: str
    title: str


# The upload routes take the file itself as the request body.
FILE_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ErrorBody} for code in codes}


# The parameters the routes share

BEARER = HTTPBearer(auto_error=False, description="the token given to fagui serve --allow-ingest")

DocId = Annotated[str, PathParam(pattern=DOC_ID, description="a document id (16 hex)")]
Eid = Annotated[str, PathParam(pattern=EID, description="a provision's eId: art_10")]
Kind = Annotated[Literal[KINDS] | None, Query(description="only norms of this kind")]  # type: ignore[valid-type]
Subject = Annotated[
    str | None,
    Query(max_length=100, description="only norms binding this subject, and why"),
]
DocType = Annotated[str | None, Query(max_length=40, description="法, 条例, 规定…")]
Issuer = Annotated[str | None, Query(max_length=100)]
Year = Annotated[int | None, Query(ge=1949, le=2100)]
InForce = Annotated[bool | None, Query()]
Limit = Annotated[int, Query(ge=1, le=100)]
Offset = Annotated[int, Query(ge=0, le=100_000)]
Script = Annotated[Literal["simplified", "traditional"], Query()]
