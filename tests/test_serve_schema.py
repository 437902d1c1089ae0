"""schemathesis against the OpenAPI schema: generated requests, valid and invalid, to every API
route; no 5xx, and every response conforms to the schema (status, content type, body).

One check is left out where the schema cannot say what is valid: the upload routes take any
bytes (`format: binary`), and a PNG or random bytes are refused with 400 because they are not
a regulation, which schemathesis would otherwise count as a valid request rejected.

Random ids would only ever meet 404s, so valid generated ids are swapped, half the time, for
the ids of documents in the store and eIds they have."""

from __future__ import annotations

import atexit
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import positive_data_acceptance
from serving import build_store

from fagui.serve import DOC_ID, EID, ServeOptions, create_app
from fagui.store import SQLiteStore

_DIR = Path(tempfile.mkdtemp(prefix="fagui-schema-"))
atexit.register(shutil.rmtree, _DIR, ignore_errors=True)
# A token as long as real ones: schemathesis sends made-up tokens to check that they are refused,
# and a one-letter token is one it can make up.
TOKEN = "schema-test-token-4d1b9c0e7f2a"
APP = create_app(ServeOptions(db=build_store(_DIR / "fagui.db"), allow_ingest=True, token=TOKEN))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)

_store = SQLiteStore(_DIR / "fagui.db", readonly=True)
IDS = [r[0] for r in _store.db.execute("SELECT id FROM documents")]
EIDS = sorted({r[0] for r in _store.db.execute("SELECT eid FROM articles")})[:50]
_store.close()


@schema.hook
def before_generate_path_parameters(context: Any, strategy: st.SearchStrategy) -> Any:
    def real(params: dict[str, Any], doc: str, eid: str, swap: bool) -> dict[str, Any]:
        if not swap or not isinstance(params, dict):
            return params
        out = dict(params)
        if re.match(DOC_ID, str(out.get("doc_id", ""))):
            out["doc_id"] = doc
        if re.match(EID, str(out.get("eid", ""))):
            out["eid"] = eid
        return out

    return st.builds(real, strategy, st.sampled_from(IDS), st.sampled_from(EIDS), st.booleans())


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case: schemathesis.Case) -> None:
    uploads = case.operation.path in ("/recover/file.json", "/ingest.json")
    case.call_and_validate(excluded_checks=[positive_data_acceptance] if uploads else None)
