#!/usr/bin/env python3
"""Renders every policy template of this corpus with real Jinja2 and writes the goldens TVM is tested against.

How to regenerate (after adding or changing a template or an identity), from the repository root:

    python3 tests/Tvm.Tests/Infrastructure/Templating/Corpus/render_goldens.py

Needs Jinja2 3.1 (`apt-get install python3-jinja2`, or `pip install 'jinja2>=3.1,<3.2'`). The tests only read the
committed goldens and do not need Python.

Each template is rendered with `jinja2.Environment()` at its defaults for every identity in identities.json. An
identity passes only the fields it knows: an unknown field is not passed at all, so it is Jinja2-undefined, exactly
as TVM does. goldens/<template>.json then holds, per identity, either the error Jinja2 raised or the text it
rendered, and that text minified the way TVM minifies a policy (or why TVM refuses it: not a JSON object, or more
than 2048 characters).
"""

import json
import re
import pathlib
import sys

import jinja2

MAX_POLICY_LENGTH = 2048
HERE = pathlib.Path(__file__).resolve().parent


def minify(text):
    """TVM's minifying: the JSON parsed and written back without whitespace, numbers kept as written."""
    def keep_number(literal):
        return RawNumber(literal)

    def refuse_constant(name):
        raise ValueError(f"{name} is not JSON")

    value = json.loads(text, parse_float=keep_number, parse_int=keep_number, parse_constant=refuse_constant)
    if not isinstance(value, dict):
        return None, "not a JSON object"
    minified = "".join(write(value))
    if len(minified) > MAX_POLICY_LENGTH:
        return None, f"{len(minified)} characters after minifying"
    return minified, None


class RawNumber(str):
    pass


def write(value):
    if isinstance(value, RawNumber):
        yield str(value)
    elif isinstance(value, dict):
        yield "{"
        for i, (key, item) in enumerate(value.items()):
            if i:
                yield ","
            yield dotnet_escaped(key)
            yield ":"
            yield from write(item)
        yield "}"
    elif isinstance(value, list):
        yield "["
        for i, item in enumerate(value):
            if i:
                yield ","
            yield from write(item)
        yield "]"
    elif isinstance(value, str):
        yield dotnet_escaped(value)
    else:
        yield json.dumps(value, ensure_ascii=False)


def dotnet_escaped(text):
    """A JSON string as TVM's writer escapes it: control characters and characters beyond U+FFFF as \\uXXXX."""
    out = []
    for char in json.dumps(text, ensure_ascii=False)[1:-1]:
        code = ord(char)
        if code > 0xFFFF:
            code -= 0x10000
            out.append(f"\\u{0xD800 + (code >> 10):04X}\\u{0xDC00 + (code & 0x3FF):04X}")
        else:
            out.append(char)
    escaped = "".join(out)
    return '"' + re.sub(r"\\u00([0-9a-f]{2})", lambda m: "\\u00" + m.group(1).upper(), escaped) + '"'


def render_case(template, variables):
    try:
        text = template.render(**variables)
    except Exception as error:  # the golden records that Jinja2 refused to render
        return {"error": type(error).__name__}
    case = {"rendered": text}
    try:
        case["minified"], refusal = minify(text)
    except ValueError:
        case["minified"], refusal = None, "invalid JSON"
    if refusal:
        case["refused"] = refusal
    return case


def main():
    if not jinja2.__version__.startswith("3.1."):
        sys.exit(f"Jinja2 3.1 expected, found {jinja2.__version__}")
    environment = jinja2.Environment()
    identities = json.loads((HERE / "identities.json").read_text(encoding="utf-8"))
    goldens = HERE / "goldens"
    goldens.mkdir(exist_ok=True)
    for old in goldens.glob("*.json"):
        old.unlink()
    for path in sorted((HERE / "templates").glob("*.j2")):
        source = path.read_text(encoding="utf-8")
        template = environment.from_string(source)
        cases = {name: render_case(template, variables) for name, variables in identities.items()}
        golden = goldens / (path.stem + ".json")
        golden.write_text(json.dumps(cases, indent=2, sort_keys=True, ensure_ascii=True) + "\n", encoding="utf-8")
    print(f"rendered {len(list((HERE / 'templates').glob('*.j2')))} templates for {len(identities)} identities")


if __name__ == "__main__":
    main()
