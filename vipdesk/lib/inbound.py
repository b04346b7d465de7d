"""Request bodies from outside (the webhook and the API), checked before anything
reaches the database: PostgreSQL text cannot hold NUL characters, a lone surrogate
(\\ud800) cannot be encoded, and deep nesting exhausts the parser's recursion."""

import json

MAX_DEPTH = 32


class BadJson(ValueError):
    """The body is not JSON vipdesk accepts; str(error) says why, for the client."""


def loads(body: bytes):
    try:
        data = json.loads(body)
    except RecursionError:
        raise BadJson(f"JSON nested more than {MAX_DEPTH} levels deep.") from None
    except ValueError:  # UnicodeDecodeError and JSONDecodeError included
        raise BadJson("Malformed JSON.") from None
    check_text(data)
    return data


def check_text(data) -> None:
    """BadJson for nesting deeper than MAX_DEPTH or text the database cannot store."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise BadJson(f"JSON nested more than {MAX_DEPTH} levels deep.")
        if isinstance(value, dict):
            stack.extend((key, depth) for key in value)
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, str):
            if "\x00" in value:
                raise BadJson("Text must not contain NUL characters.")
            try:
                value.encode()
            except UnicodeEncodeError:
                raise BadJson("Text must be valid Unicode (no lone surrogates).") from None
