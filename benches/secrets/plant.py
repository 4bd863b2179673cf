#!/usr/bin/env python3
"""Write first-party function files into the benchmark corpus and plant FAKE secrets.

Every secret is generated from a seeded PRNG in the provider's published shape (prefix,
length, alphabet, GitHub CRC-32 checksum, DER structure of PEM keys) and written in the
syntax of the file it goes into (.env, YAML, JSON, Python, JS, minified JS line, PEM file).
None of them is a real credential, and none contains EXAMPLE/xxxx/placeholder words.

Secrets go into first-party files (handlers, .env, serverless.yml, template.yaml,
local.settings.json, a notebook, a minified bundle, key files) and into dependency files
(node_modules/, site-packages/), never into test/fixture paths (the scanners' default path
allowlists would hide them). Each planted secret is one line of the manifest:

  {"id", "file" (relative to the corpus), "line", "end_line" (1-based span), "type",
   "scope" ("first-party" | "dependency"), "syntax", "secret" (the fake value)}

Usage: plant.py --corpus DIR --manifest planted.jsonl [--seed N]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import random
import re
import string
import struct
import zlib
from pathlib import Path

ALNUM = string.ascii_letters + string.digits
UPPER_NUM = string.ascii_uppercase + string.digits
LOWER_NUM = string.ascii_lowercase + string.digits
HEX = "0123456789abcdef"
B64 = string.ascii_letters + string.digits + "+/"
B64URL = string.ascii_letters + string.digits + "-_"
B32 = string.ascii_uppercase + "234567"
BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
BAD_WORDS = re.compile(r"(?i)example|xxxx|placeholder|dummy|changeme|redacted|test|fake|sample")

# Paths the scanners skip by default (faasguard DEFAULT_ALLOW_PATHS, gitleaks/kingfisher test
# heuristics): nothing is planted there.
SKIP_PATH = re.compile(
    r"(?i)(^|/)(test|tests|__tests__|spec|specs|fixtures?|testdata|__fixtures__|__mocks__|"
    r"testing|examples?|docs?)/|(^|/)[^/]*\.(test|spec)\.[a-z]+$|(^|/)test_[^/]*\.py$|"
    r"(^|/)[^/]*_test\.py$|(^|/)conftest\.py$"
)


class Gen:
    """Seeded generators of provider-shaped fake secrets."""

    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)

    def s(self, alphabet: str, n: int) -> str:
        while True:
            v = "".join(self.r.choice(alphabet) for _ in range(n))
            if not BAD_WORDS.search(v):
                return v

    def raw(self, n: int) -> bytes:
        return bytes(self.r.getrandbits(8) for _ in range(n))

    def b64(self, nbytes: int) -> str:
        while True:
            v = base64.b64encode(self.raw(nbytes)).decode()
            if not BAD_WORDS.search(v):
                return v

    def b64url(self, nbytes: int) -> str:
        while True:
            v = base64.urlsafe_b64encode(self.raw(nbytes)).decode().rstrip("=")
            if not BAD_WORDS.search(v):
                return v

    def digits(self, n: int) -> str:
        return str(self.r.randint(1, 9)) + self.s(string.digits, n - 1)

    # --- cloud providers ---
    def aws_key_id(self, prefix: str = "AKIA") -> str:
        return prefix + self.s(B32, 16)

    def aws_secret(self) -> str:
        return self.s(B64, 40)

    def aws_session_token(self) -> str:
        # STS tokens are base64 of a binary blob; they start with IQoJb3JpZ2luX2Vj ("\x21\x0a\x09origin_ec").
        return "IQoJb3JpZ2luX2Vj" + self.b64(self.r.randint(420, 700)).rstrip("=")

    def azure_key64(self) -> str:
        return base64.b64encode(self.raw(64)).decode()  # 86 chars + "=="

    def azure_sas_sig(self) -> str:
        sig = base64.b64encode(self.raw(32)).decode()  # 44 chars ending "="
        return sig.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")

    def azure_client_secret(self) -> str:
        alpha = ALNUM + "_~.-"
        return self.s(ALNUM, 3) + self.s(string.digits, 1) + "Q~" + self.s(alpha, 34)

    def gcp_api_key(self) -> str:
        return "AIza" + self.s(B64URL, 35)

    # --- VCS / registries ---
    def github_classic(self, prefix: str = "ghp_") -> str:
        rand = self.s(ALNUM, 30)
        value = zlib.crc32(rand.encode()) & 0xFFFFFFFF
        out = ""
        while value:
            out = BASE62[value % 62] + out
            value //= 62
        return prefix + rand + out.rjust(6, "0")

    def github_fine_grained(self) -> str:
        return "github_pat_11" + self.s(UPPER_NUM, 20) + "_" + self.s(ALNUM, 59)

    def gitlab_pat(self) -> str:
        return "glpat-" + self.s(ALNUM + "-_", 20)

    def npm_token(self) -> str:
        return "npm_" + self.s(ALNUM, 36)

    def pypi_token(self) -> str:
        return "pypi-AgEIcHlwaS5vcmc" + self.b64url(self.r.randint(120, 160))

    # --- SaaS ---
    def slack_bot(self) -> str:
        return f"xoxb-{self.digits(12)}-{self.digits(13)}-{self.s(ALNUM, 24)}"

    def slack_user(self) -> str:
        return f"xoxp-{self.digits(12)}-{self.digits(12)}-{self.digits(13)}-{self.s(HEX, 32)}"

    def slack_webhook(self) -> str:
        return f"https://hooks.slack.com/services/T{self.s(UPPER_NUM, 10)}/B{self.s(UPPER_NUM, 10)}/{self.s(ALNUM, 24)}"

    def stripe(self) -> str:
        kind = self.r.choice(["sk_live_", "sk_live_", "rk_live_"])
        return kind + "51" + self.s(ALNUM, 97)

    def twilio_api_key(self) -> str:
        return "SK" + self.s(HEX, 32)

    def twilio_sid_token(self) -> tuple[str, str]:
        return "AC" + self.s(HEX, 32), self.s(HEX, 32)

    def sendgrid(self) -> str:
        return f"SG.{self.s(B64URL, 22)}.{self.s(B64URL, 43)}"

    def mailgun(self) -> str:
        return "key-" + self.s(HEX, 32)

    def mailchimp(self) -> str:
        return self.s(HEX, 32) + "-us" + str(self.r.randint(1, 21))

    def datadog(self) -> tuple[str, str]:
        return self.s(HEX, 32), self.s(HEX, 40)

    def newrelic(self) -> tuple[str, str]:
        return "NRAK-" + self.s(UPPER_NUM, 27), self.s(HEX, 36) + "NRAL"

    def sentry_dsn(self) -> str:
        return f"https://{self.s(HEX, 32)}@o{self.digits(6)}.ingest.sentry.io/{self.digits(7)}"

    def jwt(self) -> str:
        header = {"alg": self.r.choice(["HS256", "RS256"]), "typ": "JWT"}
        iat = self.r.randint(1_700_000_000, 1_760_000_000)
        payload = {
            "sub": self.s(LOWER_NUM, 12),
            "iss": self.r.choice(["https://auth.orders.internal", "api-gateway", "cognito"]),
            "iat": iat,
            "exp": iat + 3600 * self.r.randint(1, 24 * 365),
            "scope": self.r.choice(["orders:write", "admin", "read write"]),
        }
        enc = lambda o: base64.urlsafe_b64encode(json.dumps(o, separators=(",", ":")).encode()).decode().rstrip("=")  # noqa: E731
        siglen = 32 if header["alg"] == "HS256" else 256
        return f"{enc(header)}.{enc(payload)}.{base64.urlsafe_b64encode(self.raw(siglen)).decode().rstrip('=')}"

    def password(self) -> str:
        style = self.r.randrange(4)
        if style == 0:
            return self.s(ALNUM, self.r.randint(12, 24))
        if style == 1:
            return self.s(string.ascii_letters, 1) + self.s(ALNUM + "!#%^*-_.", self.r.randint(13, 21))
        words = ["falcon", "orbit", "maple", "quartz", "harbor", "cobalt", "ember", "tundra",
                 "violet", "saffron", "glacier", "nimbus", "pepper", "juniper", "onyx", "willow"]
        if style == 2:
            return (self.r.choice(words).capitalize() + self.r.choice("-_.!") +
                    self.r.choice(words).capitalize() + str(self.r.randint(10, 9999)))
        return self.r.choice(words) + str(self.r.randint(1000, 99999)) + self.r.choice(words)

    def url_password(self) -> str:
        # Passwords in URLs are percent-encoded when they hold reserved characters.
        pw = self.s(ALNUM, self.r.randint(14, 24))
        if self.r.random() < 0.3:
            i = self.r.randrange(len(pw))
            pw = pw[:i] + self.r.choice(["%21", "%23", "%40", "%2F"]) + pw[i:]
        return pw

    # --- private keys (DER built from random integers: structurally valid, not usable) ---
    def _int(self, nbits: int) -> bytes:
        v = self.r.getrandbits(nbits) | (1 << (nbits - 1)) | 1
        b = v.to_bytes((nbits + 7) // 8, "big")
        return b"\x00" + b if b[0] & 0x80 else b

    def rsa_pkcs1_der(self, bits: int = 2048) -> bytes:
        half = bits // 2
        ints = [b"\x00", self._int(bits), b"\x01\x00\x01", self._int(bits - 1)] + [self._int(half) for _ in range(5)]
        return der_seq(b"".join(der(0x02, i) for i in ints))

    def ec_sec1_der(self) -> bytes:
        priv = self.raw(32)
        pub = b"\x04" + self.raw(64)
        oid = bytes.fromhex("06082a8648ce3d030107")
        return der_seq(der(0x02, b"\x01") + der(0x04, priv) + der(0xA0, oid) + der(0xA1, der(0x03, b"\x00" + pub)))

    def pkcs8_der(self) -> bytes:
        alg = der_seq(bytes.fromhex("06092a864886f70d010101") + b"\x05\x00")
        return der_seq(der(0x02, b"\x00") + alg + der(0x04, self.rsa_pkcs1_der()))

    def openssh_ed25519(self) -> bytes:
        def sstr(b: bytes) -> bytes:
            return struct.pack(">I", len(b)) + b

        pub = self.raw(32)
        pubblob = sstr(b"ssh-ed25519") + sstr(pub)
        check = self.raw(4)
        priv = check + check + pubblob + sstr(self.raw(32) + pub) + sstr(b"deploy@ci")
        priv += bytes(range(1, 8 - len(priv) % 8 + 1)) if len(priv) % 8 else b""
        return b"openssh-key-v1\x00" + sstr(b"none") + sstr(b"none") + sstr(b"") + struct.pack(">I", 1) + sstr(pubblob) + sstr(priv)

    def pgp_private(self) -> bytes:
        body = b"\x04" + struct.pack(">I", self.r.randint(1_600_000_000, 1_750_000_000)) + b"\x16\x09\x2b\x06\x01\x04\x01\xda\x47\x0f\x01" + self.raw(100)
        return bytes([0xC5, len(body)]) + body + self.raw(300)

    def pem(self, kind: str) -> str:
        if kind == "rsa":
            label, der_bytes = "RSA PRIVATE KEY", self.rsa_pkcs1_der()
        elif kind == "ec":
            label, der_bytes = "EC PRIVATE KEY", self.ec_sec1_der()
        elif kind == "pkcs8":
            label, der_bytes = "PRIVATE KEY", self.pkcs8_der()
        elif kind == "openssh":
            label, der_bytes = "OPENSSH PRIVATE KEY", self.openssh_ed25519()
        else:
            b = base64.b64encode(self.pgp_private()).decode()
            crc = base64.b64encode(struct.pack(">I", zlib.crc32(b.encode()) & 0xFFFFFF)[1:]).decode()
            lines = [b[i:i + 64] for i in range(0, len(b), 64)]
            return "\n".join(["-----BEGIN PGP PRIVATE KEY BLOCK-----", "", *lines, "=" + crc, "-----END PGP PRIVATE KEY BLOCK-----"])
        b = base64.b64encode(der_bytes).decode()
        width = 70 if kind == "openssh" else 64
        lines = [b[i:i + width] for i in range(0, len(b), width)]
        return "\n".join([f"-----BEGIN {label}-----", *lines, f"-----END {label}-----"])


def der(tag: int, body: bytes) -> bytes:
    n = len(body)
    if n < 0x80:
        return bytes([tag, n]) + body
    nb = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(nb)]) + nb + body


def der_seq(body: bytes) -> bytes:
    return der(0x30, body)


# ---------------------------------------------------------------------------------------------
# A planted secret: `lines(syntax)` renders it in a file syntax; the span is the rendered lines.

class Secret:
    def __init__(self, type_: str, pairs: list[tuple[str, str]], multiline: bool = False) -> None:
        self.type = type_
        self.pairs = pairs  # (ENV_NAME, value) in order; first-party configs write one line each
        self.multiline = multiline
        self.kwarg = False  # a password written as a call keyword / object property

    @property
    def value(self) -> str:
        return " ".join(v for _, v in self.pairs)


def make_secret(g: Gen, type_: str) -> Secret:
    """A fresh secret of `type_` whose value holds no allowlisted word."""
    while True:
        sec = _make_secret(g, type_)
        if not BAD_WORDS.search(sec.value):
            return sec


def _make_secret(g: Gen, type_: str) -> Secret:
    r = g.r
    if type_ == "aws-access-key-pair":
        return Secret(type_, [("AWS_ACCESS_KEY_ID", g.aws_key_id()), ("AWS_SECRET_ACCESS_KEY", g.aws_secret())])
    if type_ == "aws-session-token":
        return Secret(type_, [("AWS_ACCESS_KEY_ID", g.aws_key_id("ASIA")), ("AWS_SECRET_ACCESS_KEY", g.aws_secret()),
                              ("AWS_SESSION_TOKEN", g.aws_session_token())])
    if type_ == "azure-storage-connection-string":
        acct = r.choice(["ordersprodst", "mediastore01", "funcappstorage", "stlogsweu"]) + g.s(LOWER_NUM, 4)
        return Secret(type_, [("AzureWebJobsStorage", f"DefaultEndpointsProtocol=https;AccountName={acct};AccountKey={g.azure_key64()};EndpointSuffix=core.windows.net")])
    if type_ == "azure-storage-account-key":
        return Secret(type_, [("AZURE_STORAGE_ACCOUNT_KEY", g.azure_key64())])
    if type_ == "azure-sas-token":
        acct = "st" + g.s(LOWER_NUM, 10)
        url = (f"https://{acct}.blob.core.windows.net/uploads?sv=2022-11-02&ss=b&srt=co&sp=rwlac"
               f"&se=2027-0{r.randint(1, 9)}-1{r.randint(0, 9)}T00:00:00Z&st=2025-01-01T00:00:00Z&spr=https&sig={g.azure_sas_sig()}")
        return Secret(type_, [("UPLOAD_SAS_URL", url)])
    if type_ == "azure-ad-client-secret":
        return Secret(type_, [("AZURE_CLIENT_SECRET", g.azure_client_secret())])
    if type_ == "gcp-api-key":
        return Secret(type_, [("GOOGLE_MAPS_API_KEY", g.gcp_api_key())])
    if type_ == "gcp-service-account-key":
        return Secret(type_, [("GCP_SA_PRIVATE_KEY", g.pem("pkcs8"))], multiline=True)
    if type_.startswith("private-key-"):
        kind = type_.removeprefix("private-key-")
        return Secret(type_, [("PRIVATE_KEY", g.pem(kind))], multiline=True)
    if type_ == "jwt":
        return Secret(type_, [("SERVICE_JWT", g.jwt())])
    if type_ == "github-pat-classic":
        return Secret(type_, [("GITHUB_TOKEN", g.github_classic(r.choice(["ghp_", "ghp_", "ghs_", "gho_"])))])
    if type_ == "github-fine-grained-pat":
        return Secret(type_, [("GH_PAT", g.github_fine_grained())])
    if type_ == "gitlab-pat":
        return Secret(type_, [("GITLAB_TOKEN", g.gitlab_pat())])
    if type_ == "slack-token":
        return Secret(type_, [("SLACK_BOT_TOKEN", g.slack_bot() if r.random() < 0.6 else g.slack_user())])
    if type_ == "slack-webhook":
        return Secret(type_, [("SLACK_WEBHOOK_URL", g.slack_webhook())])
    if type_ == "stripe-key":
        return Secret(type_, [("STRIPE_SECRET_KEY", g.stripe())])
    if type_ == "twilio":
        if r.random() < 0.5:
            return Secret(type_, [("TWILIO_API_KEY", g.twilio_api_key())])
        sid, tok = g.twilio_sid_token()
        return Secret(type_, [("TWILIO_ACCOUNT_SID", sid), ("TWILIO_AUTH_TOKEN", tok)])
    if type_ == "sendgrid":
        return Secret(type_, [("SENDGRID_API_KEY", g.sendgrid())])
    if type_ == "mailgun":
        return Secret(type_, [("MAILGUN_API_KEY", g.mailgun())])
    if type_ == "mailchimp":
        return Secret(type_, [("MAILCHIMP_API_KEY", g.mailchimp())])
    if type_ == "npm-token":
        return Secret(type_, [("NPM_TOKEN", g.npm_token())])
    if type_ == "pypi-token":
        return Secret(type_, [("PYPI_API_TOKEN", g.pypi_token())])
    if type_ == "datadog":
        api, app = g.datadog()
        return Secret(type_, [("DD_API_KEY", api)] if r.random() < 0.6 else [("DD_APP_KEY", app)])
    if type_ == "new-relic":
        user, lic = g.newrelic()
        return Secret(type_, [("NEW_RELIC_API_KEY", user)] if r.random() < 0.5 else [("NEW_RELIC_LICENSE_KEY", lic)])
    if type_ == "sentry-dsn":
        return Secret(type_, [("SENTRY_DSN", g.sentry_dsn())])
    if type_ == "db-url":
        scheme, host, port, path = r.choice([
            ("postgres", "orders-db.cluster-c9x2k4.eu-west-1.rds.amazonaws.com", 5432, "/orders"),
            ("postgresql", "10.20.3.14", 5432, "/analytics?sslmode=require"),
            ("mysql", "mysql-prod.internal", 3306, "/shop"),
            ("mongodb+srv", "cluster0.a1b2c3.mongodb.net", None, "/app?retryWrites=true&w=majority"),
            ("rediss", "master.cache-prod.abc123.euw1.cache.amazonaws.com", 6379, "/0"),
            ("amqps", "b-1234abcd.mq.eu-west-1.amazonaws.com", 5671, "/"),
        ])
        user = "" if scheme == "rediss" and r.random() < 0.5 else r.choice(["app", "svc_orders", "lambda", "etl", "admin_rw"])
        hostport = host if port is None else f"{host}:{port}"
        return Secret(type_, [("DATABASE_URL", f"{scheme}://{user}:{g.url_password()}@{hostport}{path}")])
    if type_ == "generic-password":
        return Secret(type_, [("DB_PASSWORD", g.password())])
    raise ValueError(type_)


TYPES = [
    "aws-access-key-pair", "aws-session-token", "azure-storage-connection-string",
    "azure-storage-account-key", "azure-sas-token", "azure-ad-client-secret", "gcp-api-key",
    "gcp-service-account-key", "private-key-rsa", "private-key-ec", "private-key-openssh",
    "private-key-pkcs8", "private-key-pgp", "jwt", "github-pat-classic",
    "github-fine-grained-pat", "gitlab-pat", "slack-token", "slack-webhook", "stripe-key",
    "twilio", "sendgrid", "mailgun", "mailchimp", "npm-token", "pypi-token", "datadog",
    "new-relic", "sentry-dsn", "db-url", "generic-password",
]
SINGLE_LINE = [t for t in TYPES if not t.startswith("private-key-") and t != "gcp-service-account-key"]

# variable names used in code for each env name (python snake / js camel)
def py_name(env: str) -> str:
    return env.upper() if env.isupper() or "_" in env else env


def js_name(env: str) -> str:
    parts = env.lower().split("_")
    return parts[0] + "".join(p.capitalize() for p in parts[1:])


# ---------------------------------------------------------------------------------------------
# Rendering: each returns list of lines for the secret in the given syntax.

def render(sec: Secret, syntax: str, g: Gen, indent: int = 4) -> list[str]:
    if sec.type == "gcp-service-account-key":
        return render_gcp_json(sec, syntax, g)
    if sec.multiline:
        pem = sec.pairs[0][1]
        if syntax == "py":
            return [f'{sec.type.replace("-", "_").upper()} = """{pem.splitlines()[0]}', *pem.splitlines()[1:-1], pem.splitlines()[-1] + '"""']
        if syntax == "js":
            return [f"const {js_name(sec.type.replace('-', '_'))} = `{pem.splitlines()[0]}", *pem.splitlines()[1:-1], pem.splitlines()[-1] + "`;"]
        if syntax == "json":
            return ['  "signingKey": ' + json.dumps(pem + "\n") + ","]
        if syntax == "yaml":
            return ["  signing_key: |", *["    " + ln for ln in pem.splitlines()]]
        return pem.splitlines()  # pem file
    out = []
    for env, val in sec.pairs:
        if syntax == "env":
            out.append(f"{env}={val}")
        elif syntax == "yaml":
            q = g.r.choice(["", "", "'", '"'])
            out.append(f"{' ' * indent}{env}: {q}{val}{q}")
        elif syntax == "json":
            out.append(f'    "{env}": "{val}",')
        elif syntax == "py":
            q = g.r.choice(["'", '"'])
            if env == "DB_PASSWORD" and sec.kwarg:
                out.append(f"    password={q}{val}{q},")
            else:
                out.append(f"{py_name(env)} = {q}{val}{q}")
        elif syntax == "js":
            # template literals are rarer than quotes for constants: 10 %
            q = g.r.choices(["'", '"', "`"], weights=[45, 45, 10])[0]
            if env == "DB_PASSWORD" and sec.kwarg:
                out.append(f"  password: {q}{val}{q},")
            else:
                out.append(f"const {js_name(env)} = {q}{val}{q};")
        elif syntax == "ipynb":
            out.append(f'    "{py_name(env)} = \\"{val}\\"\\n",')
        else:
            raise ValueError(syntax)
    return out


def render_gcp_json(sec: Secret, syntax: str, g: Gen) -> list[str]:
    pem = sec.pairs[0][1] + "\n"
    project = g.r.choice(["orders-prod-4412", "media-pipeline-339", "analytics-ew1"])
    doc = {
        "type": "service_account",
        "project_id": project,
        "private_key_id": g.s(HEX, 40),
        "private_key": pem,
        "client_email": f"lambda-bridge@{project}.iam.gserviceaccount.com",
        "client_id": g.digits(21),
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": "https://oauth2.googleapis.com/token",
    }
    text = json.dumps(doc, indent=2)
    if syntax == "json":
        return text.splitlines()
    if syntax == "py":
        return ["SERVICE_ACCOUNT_INFO = json.loads(r'''" + text.splitlines()[0], *text.splitlines()[1:], "''')"]
    if syntax == "js":
        return ["const serviceAccount = " + text.splitlines()[0], *text.splitlines()[1:-1], text.splitlines()[-1] + ";"]
    if syntax == "env":
        return ["GOOGLE_CREDENTIALS_JSON=" + json.dumps(doc, separators=(",", ":"))]
    if syntax == "yaml":
        return [" " * 4 + "GOOGLE_CREDENTIALS_JSON: '" + json.dumps(doc, separators=(",", ":")) + "'"]
    raise ValueError(syntax)


# ---------------------------------------------------------------------------------------------

class Planter:
    def __init__(self, corpus: Path, seed: int) -> None:
        self.corpus = corpus
        self.g = Gen(seed)
        self.manifest: list[dict] = []

    def record(self, rel: str, line: int, nlines: int, sec: Secret, scope: str, syntax: str,
               column: int | None = None) -> None:
        entry = {
            "id": len(self.manifest) + 1, "file": rel, "line": line, "end_line": line + nlines - 1,
            "type": sec.type, "scope": scope, "syntax": syntax, "secret": sec.value,
        }
        if column is not None:
            entry["column"] = column  # 1-based, for secrets sharing a (minified) line
        self.manifest.append(entry)

    def write_file(self, rel: str, blocks: list, syntax: str, scope: str = "first-party", indent: int = 4) -> None:
        """blocks: str lines (noise) or Secret objects, in order."""
        lines: list[str] = []
        seen: dict[str, int] = {}
        for b in blocks:
            if isinstance(b, Secret):
                # keys stay unique within a file (valid YAML/JSON): SENTRY_DSN, SENTRY_DSN_2, …
                renamed = []
                for env, val in b.pairs:
                    seen[env] = seen.get(env, 0) + 1
                    renamed.append((env if seen[env] == 1 else f"{env}_{seen[env]}", val))
                b.pairs = renamed
                rendered = render(b, syntax, self.g, indent)
                self.record(rel, len(lines) + 1, len(rendered), b, scope, syntax)
                lines.extend(rendered)
            else:
                for ln in b.splitlines():
                    m = re.match(r'^\s*"?([A-Za-z_][A-Za-z0-9_]*)"?\s*[:=]', ln)
                    if m:
                        seen[m.group(1)] = seen.get(m.group(1), 0) + 1
                lines.extend(b.splitlines() or [""])
        path = self.corpus / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n")

    def sec(self, type_: str | None = None, single: bool = True, kwarg: bool = False) -> Secret:
        t = type_ or self.g.r.choice(SINGLE_LINE if single else TYPES)
        sec = make_secret(self.g, t)
        sec.kwarg = kwarg
        return sec


NOISE_PY = """import json
import logging
import os

import boto3

logger = logging.getLogger(__name__)
TABLE = os.environ["TABLE_NAME"]
DB_PASSWORD = os.environ.get("DB_PASSWORD")
SCHEMA_DIGEST = "{digest}"
REQUEST_ID_HEADER = "X-Request-Id"
secret_name = "prod/orders/db"
api_key = os.environ["API_KEY"]
password = get_secret(secret_name)["password"]
"""

NOISE_JS = """'use strict';
const {{ DynamoDBClient }} = require('@aws-sdk/client-dynamodb');
const crypto = require('crypto');

const client = new DynamoDBClient({{}});
const TABLE = process.env.TABLE_NAME;
const apiKey = process.env.API_KEY;
const password = process.env.DB_PASSWORD;
const BUILD_SHA = '{digest}';
const CORRELATION_ID = '{uuid}';
const tokenHeader = 'x-api-token';
"""

NOISE_ENV = """# local development settings
NODE_ENV=production
LOG_LEVEL=info
TABLE_NAME=orders-prod
BUILD_SHA={digest}
API_BASE_URL=https://api.orders.internal/v2
DB_HOST=orders-db.cluster-c9x2k4.eu-west-1.rds.amazonaws.com
DB_PASSWORD_SSM=/orders/prod/db-password
SECRET_ARN=arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders/db-AbCdEf
TOKEN_TTL_SECONDS=3600
"""


def first_party(p: Planter, name: str, runtime: str, index: int) -> None:
    g = p.g
    digest = lambda: g.s(HEX, 64)  # noqa: E731
    uuid = lambda: f"{g.s(HEX, 8)}-{g.s(HEX, 4)}-4{g.s(HEX, 3)}-a{g.s(HEX, 3)}-{g.s(HEX, 12)}"  # noqa: E731
    base = name
    # .env: 4 secrets
    p.write_file(f"{base}/.env", [NOISE_ENV.format(digest=digest()), p.sec(), "", p.sec(), p.sec(), "FEATURE_FLAGS=checkout,refunds", p.sec()], "env")
    # serverless.yml: environment block with 3 secrets
    p.write_file(f"{base}/serverless.yml", [
        f"service: {name}\nframeworkVersion: '3'\nprovider:\n  name: aws\n  runtime: {'nodejs20.x' if runtime == 'js' else 'python3.12'}\n"
        "  region: eu-west-1\n  memorySize: 512\n  environment:\n    TABLE_NAME: ${self:service}-${sls:stage}\n"
        "    DB_PASSWORD: ${ssm:/orders/db-password}\n    API_TOKEN: ${env:API_TOKEN}",
        p.sec(), p.sec(), p.sec(),
        "functions:\n  api:\n    handler: handler.main\n    events:\n      - httpApi: '*'",
    ], "yaml")
    # template.yaml (SAM): 2 secrets
    p.write_file(f"{base}/template.yaml", [
        "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nResources:\n  Handler:\n"
        "    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: app.handler\n"
        "      Environment:\n        Variables:\n          DB_SECRET: '{{resolve:secretsmanager:orders/db:SecretString:password}}'",
        p.sec(), p.sec(), "          LOG_LEVEL: info",
    ], "yaml", indent=10)
    # local.settings.json (Azure Functions): 3 secrets
    p.write_file(f"{base}/local.settings.json", [
        '{\n  "IsEncrypted": false,\n  "Values": {\n    "FUNCTIONS_WORKER_RUNTIME": "node",',
        p.sec("azure-storage-connection-string"), p.sec(), p.sec(),
        '    "WEBSITE_RUN_FROM_PACKAGE": "1"\n  }\n}',
    ], "json")
    # handler code: 3 secrets + a private key
    if runtime == "py":
        p.write_file(f"{base}/app/handler.py", [
            NOISE_PY.format(digest=digest()), p.sec(), p.sec(),
            "\n\ndef connect():\n    return pg8000.connect(\n        host=DB_HOST,\n        user='orders',",
            p.sec("generic-password", kwarg=True), "    )\n", p.sec(single=False),
            "\n\ndef handler(event, context):\n    logger.info('event %s', json.dumps(event))\n    return {'statusCode': 200}",
        ], "py")
        p.write_file(f"{base}/app/settings.py", ["import os\n", p.sec(), "REGION = os.environ.get('AWS_REGION', 'eu-west-1')", p.sec(single=False)], "py")
    else:
        p.write_file(f"{base}/src/handler.js", [
            NOISE_JS.format(digest=digest(), uuid=uuid()), p.sec(), p.sec(),
            "\nconst pool = new Pool({\n  host: process.env.DB_HOST,\n  user: 'orders',",
            p.sec("generic-password", kwarg=True), "});\n", p.sec(single=False),
            "\nexports.handler = async (event) => {\n  return { statusCode: 200, body: JSON.stringify({ ok: true }) };\n};",
        ], "js")
        p.write_file(f"{base}/src/config.js", ["'use strict';\n", p.sec(), "module.exports.region = process.env.AWS_REGION || 'eu-west-1';", p.sec(single=False)], "js")
    # key files and service-account JSON
    kinds = ["rsa", "ec", "openssh", "pkcs8", "pgp"]
    for kind in (kinds[(2 * index) % 5], kinds[(2 * index + 1) % 5]):
        fname = {"rsa": "keys/jwt-signing.pem", "ec": "keys/es256.key", "openssh": "deploy/id_ed25519",
                 "pkcs8": "certs/client.key", "pgp": "keys/release-signing.asc"}[kind]
        p.write_file(f"{base}/{fname}", [p.sec(f"private-key-{kind}", single=False)], "pem")
    p.write_file(f"{base}/config/gcp-service-account.json", [p.sec("gcp-service-account-key", single=False)], "json")
    # notebook
    nb_head = ('{\n "cells": [\n  {\n   "cell_type": "code",\n   "execution_count": 1,\n   "metadata": {},\n'
               '   "outputs": [],\n   "source": [\n    "import boto3\\n",')
    p.write_file(f"{base}/notebooks/explore.ipynb", [nb_head, p.sec(), p.sec(),
                 '    "s3 = boto3.client(\\"s3\\")\\n"\n   ]\n  }\n ],\n "metadata": {"kernelspec": {"name": "python3"}},\n "nbformat": 4,\n "nbformat_minor": 5\n}'], "ipynb")


def minified_bundle(p: Planter, name: str) -> None:
    """dist/index.min.js: real minified code (from the function's node_modules) with secrets
    inlined as string literals, the way a bundler inlines env values at build time."""
    candidates = sorted((p.corpus / name / "node_modules").glob("*/dist/*.min.js"))
    candidates = [c for c in candidates if 20_000 < c.stat().st_size < 2_000_000] or sorted((p.corpus / name / "node_modules").rglob("*.min.js"))
    src = p.g.r.choice(candidates).read_text(errors="replace")
    code = " ".join(src.split("\n"))  # one line
    rel = f"{name}/dist/index.min.js"
    parts, secs = [], []
    cut_points = sorted(p.g.r.sample(range(len(code) // 4, len(code)), 4))
    prev = 0
    for i, cut in enumerate(cut_points):
        # cut at a `;` boundary
        j = code.find(";", cut)
        j = len(code) if j < 0 else j + 1
        parts.append(code[prev:j])
        sec = p.sec()
        secs.append(sec)
        val = sec.pairs[-1][1] if len(sec.pairs) == 1 else None
        if val is None:
            parts.append("var " + ",".join(f'{chr(97 + k)}{i}="{v}"' for k, (_, v) in enumerate(sec.pairs)) + ";")
        else:
            parts.append(f'var k{i}={{{js_name(sec.pairs[0][0])}:"{val}"}};')
        prev = j
    parts.append(code[prev:])
    header = "/*! orders bundle */"
    (p.corpus / rel).parent.mkdir(parents=True, exist_ok=True)
    line = "".join(parts)
    (p.corpus / rel).write_text(header + "\n" + line + "\n")
    for sec in secs:
        p.record(rel, 2, 1, sec, "first-party", "minified-js", column=line.find(sec.pairs[0][1]) + 1)


def dependency_plants(p: Planter, n: int) -> None:
    g = p.g
    files: list[Path] = []
    for root, dirs, fs in os.walk(p.corpus):
        dirs.sort()
        rel_root = os.path.relpath(root, p.corpus).replace(os.sep, "/")
        if "node_modules" not in rel_root and "site-packages" not in rel_root:
            continue
        for f in sorted(fs):
            if f.endswith((".js", ".py", ".json", ".yaml", ".yml")) and not f.endswith(".min.js"):
                rel = f"{rel_root}/{f}"
                if SKIP_PATH.search(rel) or f in ("package.json", "package-lock.json", "tsconfig.json"):
                    continue
                files.append(Path(rel))
    chosen = g.r.sample(files, n)
    for rel in chosen:
        path = p.corpus / rel
        try:
            text = path.read_text()
        except (UnicodeDecodeError, OSError):
            continue
        if "\r" in text or len(text) > 3_000_000:
            continue
        lines = text.split("\n")
        trailing_nl = text.endswith("\n")
        if trailing_nl:
            lines = lines[:-1]
        ext = rel.suffix
        sec = p.sec(single=g.r.random() < 0.85)
        if ext == ".json":
            # a JSON config file: add a top-level key on line 2 if it's an object
            if not lines or not lines[0].startswith("{") or len(lines) < 3:
                continue
            if sec.multiline and sec.type != "gcp-service-account-key":
                block = render(sec, "json", g)
            elif sec.type == "gcp-service-account-key":
                sec = p.sec()
                block = render(sec, "json", g)
            else:
                block = render(sec, "json", g)
            at = 1
        else:
            syntax = {".js": "js", ".py": "py", ".yaml": "yaml", ".yml": "yaml"}[ext]
            if syntax == "yaml":
                block = [f"{env.lower()}: {val}" for env, val in sec.pairs] if not sec.multiline else ["signing_key: |", *["  " + ln for ln in sec.pairs[0][1].splitlines()]]
            else:
                block = render(sec, syntax, g)
            # top-level insertion point: after a blank line followed by an unindented line
            spots = [i + 1 for i in range(len(lines) - 1) if lines[i].strip() == "" and lines[i + 1][:1] not in ("", " ", "\t", "}", ")", "]", "*", "/")]
            at = g.r.choice(spots) if spots else len(lines)
            block = block + [""]
        new = lines[:at] + block + lines[at:]
        path.write_text("\n".join(new) + ("\n" if trailing_nl else ""))
        rendered = block if block[-1] != "" else block[:-1]
        p.record(str(rel), at + 1, len(rendered), sec, "dependency", rel.suffix.lstrip("."))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", required=True, type=Path)
    ap.add_argument("--manifest", required=True, type=Path)
    ap.add_argument("--seed", type=int, default=20261124)
    ap.add_argument("--dependency-plants", type=int, default=110)
    a = ap.parse_args()
    p = Planter(a.corpus, a.seed)
    funcs = sorted(d.name for d in a.corpus.iterdir() if d.is_dir())
    for index, name in enumerate(funcs):
        runtime = "js" if (a.corpus / name / "node_modules").is_dir() else "py"
        first_party(p, name, runtime, index)
        if runtime == "js":
            minified_bundle(p, name)
    dependency_plants(p, a.dependency_plants)
    # every planted value is free of allowlisted words and never contains a line break inside
    # a single-line type
    for m in p.manifest:
        assert not BAD_WORDS.search(m["secret"]), m["type"]
    with a.manifest.open("w") as fh:
        for m in p.manifest:
            fh.write(json.dumps(m) + "\n")
    by_type: dict[str, int] = {}
    for m in p.manifest:
        by_type[m["type"]] = by_type.get(m["type"], 0) + 1
    print(f"planted {len(p.manifest)} secrets of {len(by_type)} types "
          f"({sum(m['scope'] == 'dependency' for m in p.manifest)} in dependency files)")
    for t, c in sorted(by_type.items()):
        print(f"  {c:4d} {t}")


if __name__ == "__main__":
    main()
