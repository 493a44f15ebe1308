"""The OpenAPI document agrees with the wire models and with what the simulator answers."""

from __future__ import annotations

import importlib.resources
import json
import ssl
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator, FormatChecker, ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from kiosk.core.models import (
    ModelError,
    PauseReason,
    StoreState,
    StoreStatus,
    StoreStatusUpdate,
    parse_datetime,
)
from kiosk.simulator import Simulator
from tests.helpers.fakes import FakeClock

DOC_URI = "urn:kiosk:openapi"
PATH = "/v1/commerce/stores/{storeId}/status"
STORE = "3b2d1c4e-5f60-4718-9a2b-3c4d5e6f7a80"
KEY = "test-key"
LATER = datetime(2026, 1, 15, 14, 0, tzinfo=UTC)  # after FakeClock's start
TLS = ssl.create_default_context()

FORMATS = FormatChecker()


@FORMATS.checks("date-time", raises=ModelError)
def _is_date_time(value: object) -> bool:
    """jsonschema checks date-time only with an extra package; use the models' own parser."""
    if isinstance(value, str):
        parse_datetime(value)
    return True


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    text = (importlib.resources.files("kiosk.resources") / "openapi.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@pytest.fixture(scope="module")
def registry(doc: dict[str, Any]) -> Registry[Any]:
    resource: Resource[Any] = Resource.from_contents(doc, default_specification=DRAFT202012)
    registry: Registry[Any] = Registry().with_resource(DOC_URI, resource)
    return registry


def validator(registry: Registry[Any], pointer: str) -> Draft202012Validator:
    """A validator for the schema at ``pointer`` in the document, with its $refs resolving."""
    return Draft202012Validator(
        {"$ref": f"{DOC_URI}#{pointer}"}, registry=registry, format_checker=FORMATS
    )


def schema(registry: Registry[Any], name: str) -> Draft202012Validator:
    return validator(registry, f"/components/schemas/{name}")


def resolve(doc: dict[str, Any], node: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Follow a local ``$ref`` (as OpenAPI uses them for responses); returns (pointer, node)."""
    pointer = ""
    while "$ref" in node:
        pointer = node["$ref"].removeprefix("#")
        node = doc
        for part in pointer.strip("/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
    return pointer, node


def escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def response_validator(
    doc: dict[str, Any], registry: Registry[Any], method: str, status: int, content_type: str
) -> Draft202012Validator:
    """The validator for the body the document promises for one operation and status."""
    responses = doc["paths"][PATH][method.lower()]["responses"]
    key = str(status) if str(status) in responses else f"{str(status)[0]}XX"
    pointer, response = resolve(doc, responses[key])
    if not pointer:
        pointer = f"/paths/{escape(PATH)}/{method.lower()}/responses/{key}"
    media = content_type.split(";")[0].strip()
    assert media in response["content"], f"{method} {status} is not documented as {media}"
    return validator(registry, f"{pointer}/content/{escape(media)}/schema")


def walk(node: object) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


# --- the document itself ------------------------------------------------------------------


def test_it_is_openapi_3_1_with_both_operations(doc: dict[str, Any]) -> None:
    assert doc["openapi"].startswith("3.1.")
    assert doc["info"]["title"]
    assert doc["info"]["version"]
    assert doc["servers"] == [{"url": "https://api.gett-tech.com", "description": "Production"}]
    operations = doc["paths"][PATH]
    assert {operations["get"]["operationId"], operations["post"]["operationId"]} == {
        "getStoreStatus",
        "updateStoreStatus",
    }
    assert doc["paths"].keys() == {PATH}


def test_auth_is_a_bearer_scheme_applied_everywhere(doc: dict[str, Any]) -> None:
    scheme = doc["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    assert doc["security"] == [{"bearerAuth": []}]


def test_store_id_is_a_required_uuid_path_parameter(doc: dict[str, Any]) -> None:
    (parameter_ref,) = doc["paths"][PATH]["parameters"]
    _, parameter = resolve(doc, parameter_ref)
    assert parameter["name"] == "storeId"
    assert parameter["in"] == "path"
    assert parameter["required"] is True
    assert parameter["schema"] == {"type": "string", "format": "uuid"}


@pytest.mark.parametrize("method", ["get", "post"])
def test_every_error_is_a_problem(doc: dict[str, Any], method: str) -> None:
    responses = doc["paths"][PATH][method]["responses"]
    assert set(responses) == {"200", "400", "401", "404", "429", "5XX"}
    assert "application/json" in responses["200"]["content"]
    for key in ("400", "401", "404", "429", "5XX"):
        _, response = resolve(doc, responses[key])
        assert response["description"]
        assert list(response["content"]) == ["application/problem+json"]
        assert response["content"]["application/problem+json"]["schema"] == {
            "$ref": "#/components/schemas/Problem"
        }
    _, too_many = resolve(doc, responses["429"])
    _, retry_after = resolve(doc, too_many["headers"]["Retry-After"])
    assert "delay-seconds" in retry_after["description"]
    assert "HTTP-date" in retry_after["description"]


def test_the_update_body_is_required_json(doc: dict[str, Any]) -> None:
    body = doc["paths"][PATH]["post"]["requestBody"]
    assert body["required"] is True
    assert body["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/StoreStatusUpdate"
    }


def test_every_ref_resolves(doc: dict[str, Any]) -> None:
    refs = [node["$ref"] for node in walk(doc) if "$ref" in node]
    assert len(refs) > 10
    for ref in refs:
        assert ref.startswith("#/components/")
        resolve(doc, {"$ref": ref})  # raises KeyError if dangling


def test_every_schema_is_valid_json_schema_2020_12(doc: dict[str, Any]) -> None:
    assert set(doc["components"]["schemas"]) == {
        "StoreStatusValue",
        "PauseReason",
        "StoreStatus",
        "StoreStatusUpdate",
        "Problem",
    }
    for body in doc["components"]["schemas"].values():
        Draft202012Validator.check_schema(body)


def test_the_enums_are_the_python_enums(doc: dict[str, Any]) -> None:
    schemas = doc["components"]["schemas"]
    assert schemas["StoreStatusValue"]["enum"] == [member.value for member in StoreState]
    assert schemas["PauseReason"]["enum"] == [member.value for member in PauseReason]


def test_the_examples_are_valid(doc: dict[str, Any], registry: Registry[Any]) -> None:
    get_examples = doc["paths"][PATH]["get"]["responses"]["200"]["content"]["application/json"]
    for example in get_examples["examples"].values():
        schema(registry, "StoreStatus").validate(example["value"])
    post_examples = doc["paths"][PATH]["post"]["requestBody"]["content"]["application/json"]
    for example in post_examples["examples"].values():
        schema(registry, "StoreStatusUpdate").validate(example["value"])


# --- the wire models against it -----------------------------------------------------------


@pytest.mark.parametrize(
    "update",
    [
        StoreStatusUpdate.pause(PauseReason.TOO_BUSY),
        StoreStatusUpdate.pause(PauseReason.MAINTENANCE, LATER),
        StoreStatusUpdate.resume(),
    ],
    ids=["pause", "pause-until", "resume"],
)
def test_what_the_kiosk_sends_is_a_valid_update(
    registry: Registry[Any], update: StoreStatusUpdate
) -> None:
    schema(registry, "StoreStatusUpdate").validate(update.to_json())


@pytest.mark.parametrize(
    "body",
    [
        {"status": "paused"},
        {"status": "online", "reason": "other"},
        {"status": "online", "resumeAt": "2026-01-15T14:00:00Z"},
        {"status": "closed"},
        {"status": "paused", "reason": "lunch"},
        {"status": "paused", "reason": "other", "resumeAt": "at two"},
        {"status": "online", "pausedAt": "2026-01-15T14:00:00Z"},
        {"reason": "other"},
    ],
)
def test_what_the_simulator_rejects_the_schema_rejects(
    registry: Registry[Any], body: dict[str, Any]
) -> None:
    with pytest.raises(ValidationError):
        schema(registry, "StoreStatusUpdate").validate(body)


@pytest.mark.parametrize(
    "status",
    [
        StoreStatus(StoreState.ONLINE),
        StoreStatus(StoreState.PAUSED, PauseReason.OTHER, LATER),
        StoreStatus(StoreState.PAUSED, PauseReason.TOO_BUSY, LATER, LATER),
    ],
    ids=["online", "paused", "paused-until"],
)
def test_store_status_to_json_is_valid(registry: Registry[Any], status: StoreStatus) -> None:
    schema(registry, "StoreStatus").validate(status.to_json())


# --- the simulator against it -------------------------------------------------------------


@pytest.fixture
def client() -> Iterator[tuple[Simulator, httpx.Client]]:
    with Simulator([STORE], KEY, clock=FakeClock()) as sim:
        headers = {"Authorization": f"Bearer {KEY}"}
        with httpx.Client(
            base_url=sim.base_url, headers=headers, timeout=5, trust_env=False, verify=TLS
        ) as c:
            yield sim, c


def real_path(store: str = STORE) -> str:
    return PATH.replace("{storeId}", store)


def test_simulator_answers_match_the_document(
    doc: dict[str, Any], registry: Registry[Any], client: tuple[Simulator, httpx.Client]
) -> None:
    sim, c = client
    pause = {"status": "paused", "reason": "too_busy", "resumeAt": "2026-01-15T14:00:00Z"}
    answers = [
        ("GET", c.get(real_path())),
        ("POST", c.post(real_path(), json=pause)),
        ("GET", c.get(real_path())),
        ("POST", c.post(real_path(), json={"status": "online"})),
        ("POST", c.post(real_path(), json={"status": "paused"})),
        ("GET", c.get(real_path("not-a-uuid"))),
        ("GET", c.get(real_path(), headers={"Authorization": "Bearer wrong"})),
        ("GET", c.get(real_path("00000000-0000-4000-8000-000000000000"))),
    ]
    sim.faults.rate_limit(retry_after=5)
    answers.append(("GET", c.get(real_path())))
    sim.faults.rate_limit(retry_after=5, http_date=True)
    answers.append(("POST", c.post(real_path(), json=pause)))
    sim.faults.fail(503)
    answers.append(("GET", c.get(real_path())))
    sim.faults.fail(500)
    answers.append(("POST", c.post(real_path(), json=pause)))

    statuses = [response.status_code for _, response in answers]
    assert statuses == [200, 200, 200, 200, 400, 400, 401, 404, 429, 429, 503, 500]
    for method, response in answers:
        checker = response_validator(
            doc, registry, method, response.status_code, response.headers["content-type"]
        )
        checker.validate(response.json())
        if response.status_code == 429:
            assert response.headers["retry-after"]
