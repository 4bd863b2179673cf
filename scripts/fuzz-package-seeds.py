#!/usr/bin/env python3
"""Writes seed inputs for the `package` fuzz target into DIR: small zip archives (deflated and
stored, nested, with zip-slip names, a data descriptor, an empty archive) and plain text holding
fake credentials assembled at run time (so the repository holds no credential-shaped text)."""
import io
import random
import string
import sys
import zipfile
from pathlib import Path

rng = random.Random(7)


def rand(n, alphabet=string.ascii_letters + string.digits):
    return "".join(rng.choice(alphabet) for _ in range(n))


def zip_bytes(entries, method=zipfile.ZIP_DEFLATED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in entries:
            z.writestr(name, data)
    return buf.getvalue()


def main():
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    stripe = "sk_" + "live_" + rand(28)
    akia = "AKIA" + rand(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    secret = rand(40, string.ascii_letters + string.digits + "/+")
    text = f"STRIPE={stripe}\naws_access_key_id = {akia}\naws_secret_access_key = {secret}\n"
    pem = "-----BEGIN " + "RSA PRIVATE KEY-----\n" + "\n".join(rand(64) for _ in range(6)) + "\n-----END RSA PRIVATE KEY-----\n"
    layer = zip_bytes([("python/settings.py", text), ("python/key.pem", pem)])
    seeds = {
        "text.env": text.encode(),
        "deflated.zip": zip_bytes([("index.js", f"const k = '{stripe}';\n"), ("README.md", "hello\n")]),
        "stored.zip": zip_bytes([("a.py", text)], zipfile.ZIP_STORED),
        "nested.zip": zip_bytes([("handler.py", "def handler(e, c): pass\n"), ("layer.zip", layer)]),
        "slip.zip": zip_bytes([("../../etc/x.js", text), ("/abs/y.txt", "y\n")]),
        "empty.zip": zip_bytes([]),
        "binary.zip": zip_bytes([("lib.so", b"\0ELF" + bytes(range(256)))]),
    }
    for name, data in seeds.items():
        (out / name).write_bytes(data)


if __name__ == "__main__":
    main()
