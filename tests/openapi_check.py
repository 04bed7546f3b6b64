#!/usr/bin/env python3
"""openapi_check.py: checks the OpenAPI files of docs/openapi/ against what the server did.

The HTTP suite, run with PROVISION_HTTP_RECORD=<file>, records every exchange of the harness
(tests/http/harness.py, Recorder). This script loads each docs/openapi/*.yaml (OpenAPI 3.1,
whose schemas are JSON Schema 2020-12: validated as they are, no translation) and checks:

- each file is a well-formed OpenAPI 3.1 document: every $ref resolves, every schema is a valid
  JSON Schema, every JSON example is valid against its schema, operation ids are unique,
  response codes are three digits;
- every recorded exchange belongs to a documented operation (path template + method) of one
  file, its status is documented for that operation, the response carries the documented
  required headers (values valid), its Content-Type is one the response documents, and its
  body validates against that content's schema: JSON as parsed; XML mapped onto the schema
  (elements as properties, leaves typed as the schema says) and, when the content names an
  XSD (x-xsd), validated against that XSD by xmllint, which stays the normative check; HTML
  as a string;
- for 2xx exchanges, the request's Content-Type is one the operation accepts, a JSON request
  body validates against its schema (or against the response's x-request-check: `when` = only
  when the answer validates against this schema, i.e. the server said every item was valid;
  `schema` = against this schema instead, for answers that do not tell), and query and path
  parameters are documented (and valid);
- every operation is exercised at least once (unless --no-coverage, for partial runs).

Generic answers, declared at the top of a file: x-wrong-method (a documented path with another
method: 405 whose Allow lists exactly the path's methods) and x-unknown-path (any other path
under x-prefixes: 404). Exchanges on paths outside every file's paths and prefixes are failures
unless listed in EXCLUDED below. Form and multipart request bodies are decoded as docs/CONTRACT.md
section 2 says (brackets, repeated keys, SOAJS's conversions of form values) and validated like
JSON ones. Bodies the recorder left out (over its size cap) skip the schema check.

Each file's document check, each operation, each generic answer and the "every exchange is
documented" check is one test. Prints "FAIL <test>: <why>" for failures and ends with
"openapi: N passed, M failed"; appends "N M" to $RESULTS when set. Needs python3-yaml,
python3-jsonschema (Debian's 4.10 or later) and xmllint (libxml2-utils).
"""
import argparse
import base64
import glob
import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.parse
import xml.etree.ElementTree as ET

import jsonschema
import yaml

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
SHOW = 5   # failures shown per test

# Probes that are deliberately not the service's: paths outside every vendor prefix, answered by
# the web server itself (test_deploy.test_paths_outside_the_vendor_prefixes_are_not_ours).
EXCLUDED = {
    ("POST", "/"): "outside every vendor prefix: the web server's own answer",
    ("POST", "/urac2/admin/addUser"): "outside every vendor prefix: the web server's own answer",
    ("POST", "/v10/user/add"): "outside every vendor prefix: the web server's own answer",
    ("POST", "/onboardingx"): "outside every vendor prefix: the web server's own answer",
}


class SpecError(Exception):
    pass


def media(v):
    """The media type of a Content-Type value, without parameters, lower case."""
    return (v or "").split(";")[0].strip().lower()


def norm_ct(v):
    """A Content-Type value with its blanks normalised, for exact comparison."""
    return "; ".join(p.strip() for p in (v or "").split(";")).lower()


class Doc:
    """One OpenAPI file, with its $refs inlined."""

    def __init__(self, path):
        self.path = path
        self.name = os.path.basename(path)
        self.problems = []
        self._stack = []
        self.ops = []      # (method, template, regex, operation)
        self.items = []    # (template, regex, {method: operation})
        self.prefixes = []
        self.unknown_path = self.wrong_method = None
        try:
            with open(path, encoding="utf-8") as f:
                self.raw = yaml.safe_load(f)
            self._load()
        except (SpecError, yaml.YAMLError) as e:
            self.problems.append(str(e).replace("\n", " "))

    def pointer(self, ref):
        if not ref.startswith("#/"):
            raise SpecError(f"only local $refs are supported: {ref}")
        node = self.raw
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, dict) or part not in node:
                raise SpecError(f"$ref does not resolve: {ref}")
            node = node[part]
        return node

    def inline(self, node):
        """node with every $ref replaced by what it names (siblings of a $ref kept as an
        allOf, as JSON Schema 2020-12 reads them)."""
        if isinstance(node, list):
            return [self.inline(x) for x in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node and isinstance(node["$ref"], str):
            ref = node["$ref"]
            if ref in self._stack:
                raise SpecError(f"recursive $ref: {ref}")
            self._stack.append(ref)
            target = self.inline(self.pointer(ref))
            self._stack.pop()
            rest = {k: self.inline(v) for k, v in node.items() if k != "$ref"}
            if not rest:
                return target
            return {"allOf": [target], **rest}
        return {k: self.inline(v) for k, v in node.items()}

    def ref_or_inline(self, v):
        """An x- extension naming a component by its $ref string, or holding it inline."""
        if isinstance(v, str):
            return self.inline({"$ref": v})
        return self.inline(v)

    def _check_schema(self, schema, where):
        try:
            jsonschema.Draft202012Validator.check_schema(schema)
        except jsonschema.exceptions.SchemaError as e:
            self.problems.append(f"{where}: not a valid JSON Schema: {e.message}")

    def _load(self):
        d = self.raw
        if not isinstance(d, dict) or not str(d.get("openapi", "")).startswith("3.1."):
            raise SpecError("not an OpenAPI 3.1 document (openapi: 3.1.x)")
        for k in ("title", "version"):
            if not isinstance(d.get("info", {}).get(k), str):
                self.problems.append(f"info.{k} missing")
        for name, s in (d.get("components", {}).get("schemas") or {}).items():
            self._check_schema(self.inline(s), f"components.schemas.{name}")
        self.prefixes = d.get("x-prefixes", [])
        self.unknown_path = self.ref_or_inline(d["x-unknown-path"]) \
            if "x-unknown-path" in d else None
        self.wrong_method = self.ref_or_inline(d["x-wrong-method"]) \
            if "x-wrong-method" in d else None
        ids = set()
        for tpl, item in (d.get("paths") or {}).items():
            item = self.inline(item)
            rx = re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "([^/]+)", re.escape(tpl)) + "$")
            methods = {}
            for m in METHODS:
                if m not in item:
                    continue
                op = item[m]
                where = f"{m.upper()} {tpl}"
                op["parameters"] = item.get("parameters", []) + op.get("parameters", [])
                op["_query_credentials"] = self.query_credentials(op)
                oid = op.get("operationId")
                if not oid or oid in ids:
                    self.problems.append(f"{where}: missing or repeated operationId")
                ids.add(oid)
                if not op.get("responses"):
                    self.problems.append(f"{where}: no responses")
                for code, resp in (op.get("responses") or {}).items():
                    if not re.fullmatch(r"[1-5][0-9][0-9]", str(code)):
                        self.problems.append(f"{where}: response code {code!r} (three digits)")
                    self._check_response(resp, f"{where} {code}")
                for p in op["parameters"]:
                    self._check_schema(p.get("schema", {}), f"{where} parameter {p.get('name')}")
                for ct, mt in ((op.get("requestBody") or {}).get("content") or {}).items():
                    self._check_schema(mt.get("schema", {}), f"{where} request {ct}")
                    self._check_example(ct, mt, f"{where} request")
                methods[m.upper()] = op
                self.ops.append((m.upper(), tpl, rx, op))
            self.items.append((tpl, rx, methods))
        for what, resp in (("x-unknown-path", self.unknown_path),
                           ("x-wrong-method", self.wrong_method)):
            if resp is not None:
                self._check_response(resp, what)
        # exact paths before templates, as the executables route
        self.items.sort(key=lambda t: t[0].count("{"))

    def query_credentials(self, op):
        """Names of the query parameters the operation's security schemes (apiKey in query)
        define: documented, though not as parameters."""
        schemes = (self.raw.get("components") or {}).get("securitySchemes") or {}
        names = set()
        for req in op.get("security", self.raw.get("security")) or []:
            for k in req:
                sc = schemes.get(k)
                if sc is None:
                    self.problems.append(f"security scheme {k} not defined")
                elif sc.get("type") == "apiKey" and sc.get("in") == "query":
                    names.add(sc.get("name"))
        return names

    def _check_example(self, ct, mt, where):
        """A JSON media type's example must be valid against its schema: examples are what
        readers copy."""
        if "example" not in mt or not (media(ct) == "application/json"
                                       or media(ct).endswith("+json")):
            return
        for e in validate(mt.get("schema", {}), mt["example"]):
            self.problems.append(f"{where} {ct}: the example is not valid: {e}")

    def _check_response(self, resp, where):
        for ct, mt in (resp.get("content") or {}).items():
            self._check_schema(mt.get("schema", {}), f"{where} {ct}")
            self._check_example(ct, mt, where)
            if "x-xsd" in mt and not os.path.exists(self.xsd(mt)):
                self.problems.append(f"{where}: x-xsd {mt['x-xsd']} does not exist")
        for name, h in (resp.get("headers") or {}).items():
            self._check_schema(h.get("schema", {}), f"{where} header {name}")
        rc = resp.get("x-request-check") or {}
        for k in ("when", "schema"):
            if k in rc:
                self._check_schema(rc[k], f"{where} x-request-check.{k}")

    def xsd(self, mt):
        return os.path.normpath(os.path.join(os.path.dirname(self.path), mt["x-xsd"]))


def validate(schema, instance):
    """The first few validation errors, as text."""
    v = jsonschema.Draft202012Validator(schema)
    out = []
    for e in sorted(v.iter_errors(instance), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in e.absolute_path) or "(top)"
        out.append(f"at {where}: {e.message[:200]}")
        if len(out) == 3:
            break
    return out


def schema_types(schema):
    """The JSON types a (possibly composed) schema allows, for typing XML leaves."""
    if not isinstance(schema, dict):
        return set()
    t = schema.get("type")
    types = set(t if isinstance(t, list) else [t] if t else [])
    if "const" in schema:
        types.add(type(schema["const"]).__name__)
    for k in ("allOf", "anyOf", "oneOf"):
        for s in schema.get(k, []):
            types |= schema_types(s)
    return types


def schema_props(schema):
    props = dict(schema.get("properties", {})) if isinstance(schema, dict) else {}
    for k in ("allOf", "anyOf", "oneOf"):
        for s in (schema.get(k, []) if isinstance(schema, dict) else []):
            props.update(schema_props(s))
    return props


def xml_instance(elem, schema):
    """An XML element as the JSON instance OpenAPI's XML mapping describes: child elements are
    the properties (xml.name may rename one), a leaf is a string, or an integer/number when the
    schema allows only that (text that does not convert stays a string, and fails)."""
    props = schema_props(schema)
    if len(elem) or ("object" in schema_types(schema) and not (elem.text or "").strip()):
        by_xml = {(p.get("xml") or {}).get("name", n): n for n, p in props.items()}
        out = {}
        for child in elem:
            name = by_xml.get(child.tag, child.tag)
            if name in out:
                return {"duplicate element": child.tag}
            out[name] = xml_instance(child, props.get(name, {}))
        return out
    text = elem.text or ""
    types = schema_types(schema)
    if types and types <= {"integer", "int", "null"}:
        try:
            return int(text)
        except ValueError:
            return text
    if types and types <= {"number", "integer", "int", "float", "null"}:
        try:
            return float(text)
        except ValueError:
            return text
    return text


def form_fields(pairs):
    """Form pairs as the object docs/CONTRACT.md section 2 makes of them: a repeated key or `k[]`
    makes an array, `k[sub]` an object, `k[0]`..`k[n-1]` an array."""
    root = {}
    for key, value in pairs:
        m = re.fullmatch(r"([^\[\]]+)((?:\[[^\[\]]*\])*)", key)
        parts = [key] if m is None else [m.group(1)] + re.findall(r"\[([^\[\]]*)\]", m.group(2))
        node = root
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if part == "" and isinstance(node, list):
                if last:
                    node.append(value)
                else:
                    node.append({})
                    node = node[-1]
                continue
            if not isinstance(node, dict):
                break   # `k=a&k[x]=b`: the server refuses it; the schema check will tell
            nxt = "" if last else parts[i + 1]
            if last:
                if part in node:
                    if not isinstance(node[part], list):
                        node[part] = [node[part]]
                    node[part].append(value)
                else:
                    node[part] = value
            else:
                if part not in node or isinstance(node[part], str):
                    node[part] = [] if nxt == "" else {}
                node = node[part]
    return indexes_to_lists(root)


def indexes_to_lists(v):
    if isinstance(v, list):
        return [indexes_to_lists(x) for x in v]
    if not isinstance(v, dict):
        return v
    v = {k: indexes_to_lists(x) for k, x in v.items()}
    if v and all(re.fullmatch(r"0|[1-9][0-9]*", k) for k in v) and \
            sorted(int(k) for k in v) == list(range(len(v))):
        return [v[str(i)] for i in range(len(v))]
    return v


def multipart_fields(content_type, body):
    """The parts of a multipart/form-data body as (name, text) pairs (a file part's content
    as its text), or None when it does not parse."""
    import email.parser
    import email.policy
    msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body.encode("utf-8"))
    if not msg.is_multipart():
        return None
    out = []
    for part in msg.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name is None:
            return None
        payload = part.get_payload(decode=True) or b""
        out.append((name, payload.decode("utf-8", "replace")))
    return out


def sub_schema(schema, key):
    """The schema of property key (str) or of the items (key None) of a composed schema."""
    if not isinstance(schema, dict):
        return {}
    if key is None and isinstance(schema.get("items"), dict):
        return schema["items"]
    if key is not None and key in (schema.get("properties") or {}):
        return schema["properties"][key]
    for k in ("allOf", "anyOf", "oneOf"):
        for s in schema.get(k, []):
            r = sub_schema(s, key)
            if r:
                return r
    return {}


def coerce(value, schema):
    """A decoded form value converted as the server converts form values (docs/CONTRACT.md section
    10.3 "Validation codes"): where the schema does not allow a string, "true"/"false" become
    booleans, JSON text an object or array, digits a number; where it wants an array, a single
    value a one-item array. Strings stay strings where the schema allows them."""
    types = schema_types(schema)
    if isinstance(value, str) and types and "string" not in types:
        if "boolean" in types and value in ("true", "false"):
            return value == "true"
        if types & {"object", "array"}:
            try:
                parsed = json.loads(value)
            except ValueError:
                parsed = None
            if isinstance(parsed, (dict, list)):
                return coerce(parsed, schema)
        if types & {"integer", "number"} and re.fullmatch(r"-?[0-9]+", value):
            return int(value)
    if "array" in types and not isinstance(value, list) and value is not None and \
            not ("string" in types and isinstance(value, str)) and \
            not ("object" in types and isinstance(value, dict)):
        return [coerce(value, sub_schema(schema, None))]
    if isinstance(value, dict):
        return {k: coerce(v, sub_schema(schema, k)) for k, v in value.items()}
    if isinstance(value, list):
        return [coerce(v, sub_schema(schema, None)) for v in value]
    return value


class Checker:
    def __init__(self, docs):
        self.docs = docs
        self.results = {}          # test name -> {"n": exchanges, "errors": [...]}
        self.unmatched = []
        self.excluded_seen = set()
        self.xml_pending = []      # (xsd, body, test name, exchange label)
        self.unchecked_bodies = 0

    def test(self, name):
        return self.results.setdefault(name, {"n": 0, "errors": []})

    # ---- matching ----
    def find(self, method, path):
        """('op', doc, template, operation) | ('wrong', doc, template, methods) |
        ('unknown', doc) | None."""
        for doc in self.docs:
            for tpl, rx, methods in doc.items:
                m = rx.match(path)
                if not m:
                    continue
                if method in methods:
                    return ("op", doc, tpl, methods[method], m.groups())
                return ("wrong", doc, tpl, methods, None)
        for doc in self.docs:
            if any(path.startswith(p) for p in doc.prefixes):
                return ("unknown", doc, None, None, None)
        return None

    # ---- one exchange ----
    def check(self, ex):
        target = urllib.parse.urlsplit(ex["target"])
        path, method = target.path, ex["method"].upper()
        label = f"{ex['via']} {method} {ex['target'][:120]} -> {ex['status']} " \
                f"[{ex.get('test')}]"
        found = self.find(method, path)
        if found is None:
            if (method, path) in EXCLUDED:
                self.excluded_seen.add((method, path))
            else:
                self.unmatched.append(label)
            return
        kind, doc, tpl, op, groups = found
        if kind == "unknown":
            t = self.test(f"{doc.name}: x-unknown-path (other paths under "
                          f"{', '.join(doc.prefixes)})")
            t["n"] += 1
            if doc.unknown_path is None:
                t["errors"].append(f"{label}: no x-unknown-path declared")
            elif ex["status"] != 404:
                t["errors"].append(f"{label}: status {ex['status']}, expected 404")
            else:
                self.response(t, doc, doc.unknown_path, ex, label)
            return
        if kind == "wrong":
            t = self.test(f"{doc.name}: x-wrong-method (405 with Allow)")
            t["n"] += 1
            allow = {a.strip() for a in ex["headers"].get("allow", "").split(",") if a.strip()}
            if doc.wrong_method is None:
                t["errors"].append(f"{label}: method not documented, no x-wrong-method")
            elif ex["status"] != 405:
                t["errors"].append(f"{label}: status {ex['status']}, expected 405")
            elif allow != set(op):
                t["errors"].append(f"{label}: Allow {sorted(allow)}, the path has {sorted(op)}")
            else:
                self.response(t, doc, doc.wrong_method, ex, label)
            return
        t = self.test(f"{doc.name} {method} {tpl} ({op.get('operationId')})")
        t["n"] += 1
        resp = (op.get("responses") or {}).get(str(ex["status"]))
        if resp is None:
            t["errors"].append(f"{label}: status {ex['status']} not documented "
                               f"(documented: {', '.join(sorted(op.get('responses', {})))})")
            return
        self.response(t, doc, resp, ex, label)
        if 200 <= ex["status"] < 300:
            self.request(t, op, resp, ex, label, target, groups)

    def body_text(self, body):
        if isinstance(body, str):
            return body
        if isinstance(body, dict) and "b64" in body:
            return base64.b64decode(body["b64"]).decode("utf-8", "replace")
        return None   # left out by the recorder

    def response(self, t, doc, resp, ex, label):
        headers = ex["headers"]
        for name, h in (resp.get("headers") or {}).items():
            v = headers.get(name.lower())
            if v is None:
                if h.get("required"):
                    t["errors"].append(f"{label}: header {name} missing")
                continue
            for e in validate(h.get("schema", {}), v):
                t["errors"].append(f"{label}: header {name}: {e}")
        content = resp.get("content") or {}
        body = self.body_text(ex["body"])
        if not content:
            if body:
                t["errors"].append(f"{label}: a body where none is documented")
            return
        ct = headers.get("content-type")
        mt = next((m for k, m in content.items() if norm_ct(k) == norm_ct(ct)), None)
        if mt is None:
            t["errors"].append(f"{label}: Content-Type {ct!r} not documented "
                               f"({', '.join(content)})")
            return
        if body is None:
            self.unchecked_bodies += 1
            return
        schema = mt.get("schema", {})
        kind = media(ct)
        if kind == "application/json" or kind.endswith("+json"):
            try:
                inst = json.loads(body)
            except ValueError as e:
                t["errors"].append(f"{label}: body is not JSON ({e})")
                return
        elif kind.endswith("/xml") or kind.endswith("+xml"):
            try:
                root = ET.fromstring(body.encode("utf-8"))
            except ET.ParseError as e:
                t["errors"].append(f"{label}: body is not XML ({e})")
                return
            name = (schema.get("xml") or {}).get("name")
            if name and root.tag != name:
                t["errors"].append(f"{label}: root element <{root.tag}>, expected <{name}>")
            inst = xml_instance(root, schema)
            if "x-xsd" in mt:
                self.xml_pending.append((doc.xsd(mt), body, t, label))
        else:
            inst = body
        for e in validate(schema, inst):
            t["errors"].append(f"{label}: body {e}")

    def request(self, t, op, resp, ex, label, target, groups):
        params = op.get("parameters", [])
        query = urllib.parse.parse_qsl(target.query, keep_blank_values=True)
        documented = {p["name"]: p for p in params if p.get("in") == "query"}
        for k, v in query:
            base = re.sub(r"\[.*$", "", k)
            if base in op["_query_credentials"]:
                continue
            if base not in documented:
                t["errors"].append(f"{label}: query parameter {k!r} not documented")
            else:
                self.param(t, documented[base], v, label)
        in_path = [p for p in params if p.get("in") == "path"]
        for p, v in zip(in_path, groups or ()):
            self.param(t, p, urllib.parse.unquote(v), label)
        rc = resp.get("x-request-check") or {}
        if "when" in rc:
            try:
                answer = json.loads(self.body_text(ex["body"]) or "null")
            except ValueError:
                answer = None
            if validate(rc["when"], answer):
                return   # the answer refuses the request or items: it need not be valid
        body = ex["req_body"]
        if body == "" or body is None:
            if (op.get("requestBody") or {}).get("required"):
                t["errors"].append(f"{label}: accepted without the required body")
            return
        content = (op.get("requestBody") or {}).get("content") or {}
        rt = media(ex.get("req_type"))
        mt = next((m for k, m in content.items() if media(k) == rt), None)
        if mt is None:
            t["errors"].append(f"{label}: request Content-Type {ex.get('req_type')!r} not "
                               f"documented ({', '.join(content) or 'no request body'})")
            return
        schema = rc.get("schema", mt.get("schema", {}))
        if isinstance(body, dict) and "b64" in body:
            body = base64.b64decode(body["b64"]).decode("utf-8", "replace")
        if not isinstance(body, str):
            return   # left out by the recorder (over its cap)
        if rt == "application/json":
            try:
                inst = json.loads(body)
            except ValueError:
                t["errors"].append(f"{label}: accepted a request body that is not JSON")
                return
        elif rt == "application/x-www-form-urlencoded":
            inst = coerce(form_fields(urllib.parse.parse_qsl(body, keep_blank_values=True)),
                          schema)
        elif rt == "multipart/form-data":
            fields = multipart_fields(ex.get("req_type") or "", body)
            if fields is None:
                t["errors"].append(f"{label}: accepted a multipart body that does not parse")
                return
            inst = coerce(form_fields(fields), schema)
        else:
            return
        for e in validate(schema, inst):
            t["errors"].append(f"{label}: request body {e}")

    def param(self, t, p, value, label):
        schema = p.get("schema", {})
        inst = value
        if schema_types(schema) & {"integer", "number"} and re.fullmatch(r"-?[0-9]+", value):
            inst = int(value)
        for e in validate(schema, inst):
            t["errors"].append(f"{label}: parameter {p['name']}: {e}")

    def run_xsd(self):
        """xmllint once per XSD over every XML body that names it."""
        by_xsd = {}
        for xsd, body, t, label in self.xml_pending:
            by_xsd.setdefault(xsd, []).append((body, t, label))
        with tempfile.TemporaryDirectory() as tmp:
            for xsd, items in by_xsd.items():
                files = []
                for i, (body, _, _) in enumerate(items):
                    fn = os.path.join(tmp, f"{i}.xml")
                    with open(fn, "w", encoding="utf-8") as f:
                        f.write(body)
                    files.append(fn)
                p = subprocess.run(["xmllint", "--noout", "--schema", xsd, *files],
                                   capture_output=True, text=True)
                for i, (body, t, label) in enumerate(items):
                    if not re.search(rf"^{re.escape(files[i])} validates$", p.stderr, re.M):
                        why = [ln for ln in p.stderr.splitlines() if ln.startswith(files[i])]
                        t["errors"].append(f"{label}: not valid against {xsd}: "
                                           f"{(why or [p.stderr.strip()])[0][:300]}")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--record", required=True, help="the exchanges recorded by the harness")
    ap.add_argument("--spec-dir", default=os.path.join(here, "..", "docs", "openapi"))
    ap.add_argument("--no-coverage", action="store_true",
                    help="a partial run: do not require every operation to be exercised")
    ap.add_argument("--label", default="openapi")
    ap.add_argument("-v", "--verbose", action="store_true", help="name the passing tests too")
    a = ap.parse_args()

    docs = [Doc(p) for p in sorted(glob.glob(os.path.join(a.spec_dir, "*.yaml")))]
    tests = []   # (name, errors)
    for d in docs:
        tests.append((f"{d.name}: a valid OpenAPI 3.1 document ({len(d.ops)} operations)",
                      d.problems))
    checker = Checker([d for d in docs if not d.problems])
    n = 0
    try:
        with open(a.record, encoding="utf-8") as f:
            for line in f:
                checker.check(json.loads(line))
                n += 1
    except FileNotFoundError:
        pass
    checker.run_xsd()
    for d in checker.docs:
        names = [f"{d.name} {m} {tpl} ({op.get('operationId')})" for m, tpl, _, op in d.ops]
        if d.wrong_method is not None:
            names.append(f"{d.name}: x-wrong-method (405 with Allow)")
        if d.unknown_path is not None:
            names.append(f"{d.name}: x-unknown-path (other paths under "
                         f"{', '.join(d.prefixes)})")
        for name in names:
            t = checker.test(name)
            errors = list(t["errors"])
            if t["n"] == 0 and not a.no_coverage:
                errors.insert(0, "not exercised by the test suite")
            tests.append((f"{name} [{t['n']} exchanges]", errors))
    errors = [f"{u}: no documented operation or generic answer" for u in checker.unmatched]
    if n == 0 and not a.no_coverage:   # a partial run (HTTP_ONLY) may record none
        errors.append(f"no exchange recorded in {a.record}")
    if not a.no_coverage:
        errors += [f"EXCLUDED {m} {p} never seen: remove it from the list"
                   for (m, p) in EXCLUDED if (m, p) not in checker.excluded_seen]
    tests.append((f"every recorded exchange is documented ({n} exchanges, "
                  f"{len(checker.excluded_seen)} excluded probes)", errors))

    # per file: how many recorded exchanges were checked against it
    for d in checker.docs:
        n_doc = sum(r["n"] for k, r in checker.results.items() if k.startswith(d.name + " ")
                    or k.startswith(d.name + ":"))
        print(f"  {d.name}: {n_doc} exchanges checked, {len(d.ops)} operations")
    passed = failed = 0
    for name, errs in tests:
        if errs:
            failed += 1
            more = f" (+{len(errs) - SHOW} more)" if len(errs) > SHOW else ""
            print(f"FAIL {a.label}: {name}:\n    " + "\n    ".join(errs[:SHOW]) + more)
        else:
            passed += 1
            if a.verbose:
                print(f"ok {a.label}: {name}")
    if checker.unchecked_bodies:
        print(f"  ({checker.unchecked_bodies} bodies over the recorder's cap: schema not checked)")
    print(f"{a.label}: {passed} passed, {failed} failed")
    results = os.environ.get("RESULTS")
    if results:
        with open(results, "a") as f:
            f.write(f"{passed} {failed}\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
