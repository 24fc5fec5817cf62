"""GET /api/docs/: the API's reference as one of the site's own pages, read from the OpenAPI schema that
drf-spectacular serves at /api/schema/ (Swagger UI, kept at /api/docs/swagger/, does not pass axe)."""

import re
from dataclasses import dataclass, field
from functools import cache

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from drf_spectacular.generators import SchemaGenerator

# One example query per path: what the "try it" link and the curl line ask.
EXAMPLE_QUERIES = {"/api/v1/practitioners/": "near=02108", "/api/v1/places/": "q=bost"}
NESTING = 2  # how many $ref levels below a response's body its fields are listed
CODE_SPAN = re.compile(r"`([^`]+)`")


def described(text: str) -> SafeString:
    """The schema's text, escaped, with its `code` spans (the only Markdown it uses) as <code>."""
    return mark_safe(CODE_SPAN.sub(r"<code>\1</code>", escape(text)))


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    required: bool
    default: str
    allowed: str
    description: SafeString


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    required: bool
    description: SafeString


@dataclass(frozen=True)
class Body:
    name: str
    anchor: str
    fields: list[Field]


@dataclass(frozen=True)
class Response:
    status: str
    description: SafeString
    bodies: list[Body] = field(default_factory=list)


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    anchor: str
    summary: str
    description: SafeString
    parameters: list[Parameter]
    responses: list[Response]
    example: str


def allowed_values(schema: dict) -> str:
    """What a value may be, in words: its choices, its range, its length."""
    if "enum" in schema:
        return ", ".join(str(choice) for choice in schema["enum"])
    if schema.get("type") == "boolean":
        return "true, false"
    if schema.get("type") == "array":
        return allowed_values(schema.get("items", {}))
    limits = []
    if "minimum" in schema:
        limits.append(f"{'>' if schema.get('exclusiveMinimum') else '≥'} {schema['minimum']}")
    if "maximum" in schema:
        limits.append(f"{'<' if schema.get('exclusiveMaximum') else '≤'} {schema['maximum']}")
    if "maxLength" in schema:
        limits.append(f"at most {schema['maxLength']} characters")
    return ", ".join(limits)


def unwrapped(schema: dict) -> dict:
    """drf-spectacular wraps a nullable or read-only $ref in allOf: [{"$ref": ...}]; its $ref, with its flags."""
    if len(schema.get("allOf", [])) == 1:
        return {**schema["allOf"][0], **{key: value for key, value in schema.items() if key != "allOf"}}
    return schema


def type_of(schema: dict, components: dict) -> str:
    """A schema's type in words: "integer", "array of Practitioner", "number, or null"."""
    schema = unwrapped(schema)
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        target = components[name]
        if "enum" in target:
            return f"{target.get('type', 'string')}, one of {allowed_values(target)}"
        return name + (", or null" if schema.get("nullable") else "")
    if schema.get("type") == "array":
        described_type = f"array of {type_of(schema.get('items', {}), components)}"
    else:
        described_type = schema.get("type", "any")
        if "format" in schema:
            described_type += f" ({schema['format']})"
    return described_type + (", or null" if schema.get("nullable") else "")


def referenced(schema: dict) -> str | None:
    """The component a property refers to, directly or as an array's items; enums are listed inline."""
    schema = unwrapped(schema)
    ref = schema.get("$ref") or schema.get("items", {}).get("$ref")
    return None if ref is None else ref.rsplit("/", 1)[-1]


def bodies_of(name: str, components: dict, anchor: str) -> list[Body]:
    """The component `name` and those its fields refer to, NESTING levels down, each as a table of fields."""
    bodies, seen, level = [], set(), [name]
    for _depth in range(NESTING + 1):
        following = []
        for component in level:
            schema = components[component]
            if component in seen or "properties" not in schema:
                continue
            seen.add(component)
            required = set(schema.get("required", []))
            fields = [
                Field(key, type_of(value, components), key in required, described(value.get("description", "")))
                for key, value in schema["properties"].items()
            ]
            bodies.append(Body(component, f"{anchor}-{component.lower()}", fields))
            following += [ref for value in schema["properties"].values() if (ref := referenced(value))]
        level = following
    return bodies


def response_of(status: str, response: dict, components: dict, anchor: str) -> Response:
    body_schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    ref = referenced(body_schema)
    bodies = bodies_of(ref, components, anchor) if status == "200" and ref else []
    fallback = "The answer; its fields are below." if bodies else "The answer."
    return Response(status, described(response.get("description") or fallback), bodies)


def parameter_of(parameter: dict, components: dict) -> Parameter:
    schema = parameter.get("schema", {})
    default = schema.get("default")
    return Parameter(
        name=parameter["name"],
        type=type_of(schema, components) + (", repeatable" if schema.get("type") == "array" else ""),
        required=bool(parameter.get("required")),
        default="" if default is None else str(default),
        allowed=allowed_values(schema),
        description=described(parameter.get("description", "")),
    )


@cache
def api_schema() -> dict:
    """The schema /api/schema/ serves, generated once per process: it changes only with the code."""
    return SchemaGenerator().get_schema(request=None, public=True)


@cache
def endpoints() -> list[Endpoint]:
    schema = api_schema()
    components = schema.get("components", {}).get("schemas", {})
    found = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            anchor = operation.get("operationId", f"{method}-{path}").replace("_", "-")
            found.append(
                Endpoint(
                    method=method.upper(),
                    path=path,
                    anchor=anchor,
                    summary=operation.get("summary", path),
                    description=described(operation.get("description", "")),
                    parameters=[parameter_of(p, components) for p in operation.get("parameters", [])],
                    responses=[
                        response_of(status, response, components, anchor)
                        for status, response in operation.get("responses", {}).items()
                    ],
                    example=f"{path}?{EXAMPLE_QUERIES[path]}" if path in EXAMPLE_QUERIES else path,
                )
            )
    return found


def api_docs(request: HttpRequest) -> HttpResponse:
    schema = api_schema()
    examples = [
        (endpoint, "curl " + quote_shell(request.build_absolute_uri(endpoint.example))) for endpoint in endpoints()
    ]
    return render(request, "directory/api_docs.html", {"info": schema["info"], "examples": examples})


def quote_shell(url: str) -> str:
    """The URL in single quotes, so a shell leaves its ? and & alone."""
    return "'" + url.replace("'", "%27") + "'"
