#!/usr/bin/env python3
"""Builds the fuzz seed corpora into fuzz/corpus/<target>/ (not committed).

Usage: fuzz-seeds.py [--out DIR] [--no-recordings]. --out writes DIR/<target>/ instead; the
test gate (scripts/test.sh) replays the seeds derived from the checkout alone that way
(--no-recordings: the recordings are machine-local, so the gate's inputs would differ by machine).

Sources: the small project-made seeds committed in fuzz/seeds/<target>/, the msgpack fixtures of
crates/tfplugin/src/value/tests.rs, the attribute values of examples/**/*.tf, the emulator test paths,
and, when present, the recorded Okta traffic (../shared/okta-recordings or $OKTA_RECORDINGS),
whose content never leaves the generated corpus.

Seed formats (see fuzz/fuzz_targets/*.rs):
  value_msgpack, value_json  type JSON, NUL, payload
  okta_models                one byte picking the model, then JSON (17: headers, 18: error)
  emulator_api, emulator_oidc  requests as in okta-emulator/src/fuzzing.rs
  handshake                  KEY=VALUE entries separated by NUL
"""

import glob
import hashlib
import json
import os
import re
import shutil
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FUZZ = os.path.join(ROOT, "fuzz")
OUT = os.path.join(FUZZ, "corpus")
TARGETS = ["value_msgpack", "value_json", "okta_models", "emulator_api", "emulator_oidc", "handshake"]
counts = {t: 0 for t in TARGETS}


def write(target, data):
    if isinstance(data, str):
        data = data.encode()
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()
    path = os.path.join(d, name)
    if not os.path.exists(path):
        with open(path, "wb") as f:
            f.write(data)
        counts[target] += 1


# ---- msgpack, type-directed like go-cty ------------------------------------------------------

def mp_str(s):
    b = s.encode() if isinstance(s, str) else s
    n = len(b)
    if n < 32:
        return bytes([0xA0 | n]) + b
    if n < 256:
        return bytes([0xD9, n]) + b
    return b"\xda" + struct.pack(">H", n) + b


def mp_len(n, fix, b16):
    if n < 16:
        return bytes([fix | n])
    return bytes([b16]) + struct.pack(">H", n)


def mp_num(v):
    if isinstance(v, bool):
        raise TypeError
    if isinstance(v, int):
        if 0 <= v < 128:
            return bytes([v])
        if -32 <= v < 0:
            return struct.pack(">b", v)
        return b"\xd3" + struct.pack(">q", v)
    return b"\xcb" + struct.pack(">d", v)


UNKNOWN = object()


def mp(value, ty):
    if value is UNKNOWN:
        return b"\xd4\x00\x00"
    if value is None:
        return b"\xc0"
    if ty == "dynamic":
        inner = infer(value)
        return b"\x92" + mp_str(json.dumps(inner, separators=(",", ":"))) + mp(value, inner)
    if ty == "string":
        return mp_str(str(value))
    if ty == "number":
        return mp_num(value)
    if ty == "bool":
        return b"\xc3" if value else b"\xc2"
    kind = ty[0]
    if kind in ("list", "set"):
        return mp_len(len(value), 0x90, 0xDC) + b"".join(mp(v, ty[1]) for v in value)
    if kind == "tuple":
        return mp_len(len(value), 0x90, 0xDC) + b"".join(mp(v, t) for v, t in zip(value, ty[1]))
    if kind == "map":
        return mp_len(len(value), 0x80, 0xDE) + b"".join(
            mp_str(k) + mp(v, ty[1]) for k, v in sorted(value.items()))
    if kind == "object":
        attrs = ty[1]
        return mp_len(len(attrs), 0x80, 0xDE) + b"".join(
            mp_str(k) + mp(value.get(k), t) for k, t in sorted(attrs.items()))
    raise ValueError(ty)


def infer(v):
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return ["tuple", [infer(x) for x in v]]
    if isinstance(v, dict):
        return ["object", {k: infer(x) for k, x in v.items()}]
    return "dynamic"


def cty_json(value, ty):
    """A value as cty's JSON (unknowns cannot appear in JSON state)."""
    if value is UNKNOWN:
        return None
    if ty == "dynamic" and value is not None:
        inner = infer(value)
        return {"value": cty_json(value, inner), "type": inner}
    if isinstance(ty, list) and ty[0] == "object" and isinstance(value, dict):
        return {k: cty_json(value.get(k), t) for k, t in ty[1].items()}
    if isinstance(ty, list) and ty[0] in ("list", "set") and isinstance(value, list):
        return [cty_json(v, ty[1]) for v in value]
    return value


def typed_seed(target, ty, payload):
    write(target, json.dumps(ty, separators=(",", ":")).encode() + b"\0" + payload)


STR_SET = ["set", "string"]
SCHEMAS = {
    "oktaidp_oidc_app": ["object", {
        "id": "string", "label": "string", "client_id": "string", "client_secret": "string",
        "redirect_uris": ["list", "string"], "post_logout_redirect_uris": ["list", "string"],
        "grant_types": STR_SET, "response_types": STR_SET, "group_ids": STR_SET,
        "client_secret_version": "number", "pkce_required": "bool",
        "refresh_token": ["object", {"rotation": "string", "leeway": "number"}],
        "timeouts": "dynamic"}],
    "oktaidp_oidc_app_refresh_grant": ["object", {
        "id": "string", "app_id": "string", "rotation": "string", "leeway": "number"}],
    "oktaidp_oidc_app_redirect_uri": ["object", {"id": "string", "app_id": "string", "uri": "string"}],
    "oktaidp_api_token": ["object", {
        "id": "string", "name": "string", "token_wo": "string", "token_wo_version": "number",
        "network": ["object", {"connection": "string", "include": ["list", "string"]}]}],
    "oktaidp_groups_claim": ["object", {
        "id": "string", "app_id": "string", "name": "string", "filter_type": "string",
        "filter_value": "string", "settings": ["map", "string"], "extra": ["tuple", ["string", "number", "bool"]]}],
}


def tf_values(path):
    """Attribute values of a .tf file's resource blocks (strings, numbers, bools, flat lists)."""
    out = {}
    text = open(path, encoding="utf-8").read()
    for m in re.finditer(r'^\s*(\w+)\s*=\s*(.+?)\s*$', text, re.M):
        key, raw = m.group(1), m.group(2)
        try:
            out[key] = json.loads(raw)
        except ValueError:
            if raw.startswith("["):
                out[key] = re.findall(r'"([^"]*)"', raw)
            elif raw in ("true", "false"):
                out[key] = raw == "true"
            else:
                out[key] = raw  # a reference: keep its text as a string
    return out


def fit(value, ty):
    """Coerces an example value to the schema type, or None when it cannot fit."""
    if value is None:
        return None
    if ty == "string":
        return value if isinstance(value, str) else json.dumps(value)
    if ty == "number":
        return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    if ty == "bool":
        return value if isinstance(value, bool) else None
    if ty == "dynamic":
        return value
    if ty[0] in ("list", "set"):
        return [fit(v, ty[1]) for v in value] if isinstance(value, list) else None
    return None


def value_seeds():
    # Hex fixtures of the value tests, against a few types.
    tests = open(os.path.join(ROOT, "crates/tfplugin/src/value/tests.rs"), encoding="utf-8").read()
    fixtures = [bytes.fromhex(h.replace(" ", "")) for h in re.findall(r'hex\("([0-9a-fA-F ]*)"\)', tests)]
    for payload in fixtures:
        for ty in ("dynamic", "string", "number", "bool", ["list", "number"], ["map", "string"]):
            typed_seed("value_msgpack", ty, payload)
        write("value_msgpack", payload)
    for tj in re.findall(r'r#"(\[[^"]*\])"#', tests):
        write("value_msgpack", tj.encode() + b"\0\xc0")
        write("value_json", tj.encode() + b"\0null")
    # Example configurations against the resource types.
    examples = glob.glob(os.path.join(ROOT, "examples", "**", "*.tf"), recursive=True)
    for name, ty in SCHEMAS.items():
        attrs = ty[1]
        for path in examples:
            found = tf_values(path)
            value = {k: fit(found.get(k), t) for k, t in attrs.items()}
            typed_seed("value_msgpack", ty, mp(value, ty))
            typed_seed("value_json", ty, json.dumps(cty_json(value, ty)).encode())
            planned = dict(value, id=UNKNOWN)
            typed_seed("value_msgpack", ty, mp(planned, ty))
            write("value_msgpack", mp(value, "dynamic"))
            write("value_json", b'"dynamic"\0' + json.dumps(cty_json(value, "dynamic")).encode())


# ---- recordings -------------------------------------------------------------------------

MODEL_PICK = {"app": 0, "secret": 1, "token": 3, "group": 6, "user": 9, "error": 11,
              "assignment": 13, "claim": 15}
ID_PATTERNS = [(r"0oa[0-9A-Za-z]{17}", "{APP}"), (r"00g[0-9A-Za-z]{17}", "{GROUP}"),
               (r"00u[0-9A-Za-z]{17}", "{USER}"), (r"ocs[0-9A-Za-z]{17}", "{SECRET_ID}"),
               (r"00T[0-9A-Za-z]{17}", "{TOKEN_ID}")]


def model_of(path, body):
    if isinstance(body, dict) and "errorCode" in body:
        return "error"
    if "/credentials/secrets" in path:
        return "secret"
    if "/api-tokens" in path:
        return "token"
    if re.search(r"/apps/[^/]+/groups", path):
        return "assignment"
    if "/idToken" in path:
        return "claim"
    if "/groups" in path:
        return "group"
    if "/users" in path:
        return "user"
    if "/apps" in path:
        return "app"
    return None


def recording_seeds():
    base = os.environ.get("OKTA_RECORDINGS") or os.path.join(ROOT, "..", "shared", "okta-recordings")
    if not os.path.isdir(base):
        print(f"fuzz-seeds: no recordings at {base}; using committed seeds only", file=sys.stderr)
        return
    try:
        import yaml
    except ImportError:
        print("fuzz-seeds: python3-yaml missing; recordings skipped", file=sys.stderr)
        return
    from urllib.parse import urlsplit
    for path in sorted(glob.glob(os.path.join(base, "*.yaml"))):
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
        for it in doc.get("interactions") or []:
            req, resp = it.get("request") or {}, it.get("response") or {}
            url = urlsplit(req.get("url", ""))
            target = url.path + ("?" + url.query if url.query else "")
            for pat, ph in ID_PATTERNS:
                target = re.sub(pat, ph, target)
            body = (req.get("body") or "").strip()
            head = f"{req.get('method', 'GET')} {target}\n"
            if body:
                head += "Content-Type: application/json\n\n" + body
            write("emulator_api", head)
            lines = [f"{k}: {v}" for k, vs in (resp.get("headers") or {}).items()
                     if k.lower() in ("link", "date") or k.lower().startswith("x-rate-limit")
                     for v in vs]
            if lines:
                write("okta_models", bytes([17]) + "\n".join(lines).encode())
            rbody = resp.get("body") or ""
            try:
                parsed = json.loads(rbody)
            except ValueError:
                continue
            items = parsed if isinstance(parsed, list) else [parsed]
            for item in items[:3]:
                kind = model_of(url.path, item)
                if kind is not None:
                    write("okta_models", bytes([MODEL_PICK[kind]]) + json.dumps(item).encode())
            if isinstance(parsed, dict) and "errorCode" in parsed:
                write("okta_models", bytes([18]) + rbody.encode())


def emulator_test_seeds():
    for name in ("emulator_api.rs", "emulator_users.rs", "emulator_authz.rs"):
        path = os.path.join(ROOT, "tests", name)
        if not os.path.exists(path):
            continue
        text = open(path, encoding="utf-8").read()
        for p in sorted(set(re.findall(r'"(/api/v1/[^"{}\s]*)"', text))):
            write("emulator_api", f"GET {p}\n")
            write("emulator_api", f"POST {p}\nContent-Type: application/json\n\n{{}}")


def handshake_seeds():
    cookie = "TF_PLUGIN_MAGIC_COOKIE=d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
    pem_path = os.path.join(FUZZ, "seeds", "handshake", "client-cert.pem")
    if os.path.exists(pem_path):
        pem = open(pem_path, encoding="ascii").read()
        write("handshake", "\0".join([cookie, "PLUGIN_PROTOCOL_VERSIONS=5,6",
                                      "PLUGIN_MIN_PORT=10000", "PLUGIN_MAX_PORT=25000",
                                      "PLUGIN_CLIENT_CERT=" + pem]))
        write("handshake", pem)


def committed_seeds():
    for target in TARGETS:
        src = os.path.join(FUZZ, "seeds", target)
        for path in sorted(glob.glob(os.path.join(src, "*"))):
            if path.endswith(".pem"):
                continue
            with open(path, "rb") as f:
                write(target, f.read())


def main():
    global OUT
    import argparse
    ap = argparse.ArgumentParser(description="Builds the fuzz seed corpora.")
    ap.add_argument("--out", default=OUT, help="corpus root (default fuzz/corpus)")
    ap.add_argument("--no-recordings", action="store_true", help="skip the recorded Okta traffic")
    args = ap.parse_args()
    OUT = os.path.abspath(args.out)
    committed_seeds()
    value_seeds()
    emulator_test_seeds()
    handshake_seeds()
    if not args.no_recordings:
        recording_seeds()
    for t in TARGETS:
        d = os.path.join(OUT, t)
        n = len(os.listdir(d)) if os.path.isdir(d) else 0
        print(f"fuzz-seeds: {t}: {counts[t]} new, {n} in corpus")


if __name__ == "__main__":
    main()
