import mimetypes
import os
from urllib.parse import unquote

STATIC_ROOT = "/var/task/static"


def handler(event, context):
    rel = unquote(event.get("rawPath", "/")).lstrip("/") or "index.html"
    full = os.path.join(STATIC_ROOT, rel)
    if not os.path.isfile(full):
        return {"statusCode": 404, "body": "not found"}
    with open(full, "rb") as fh:
        data = fh.read()
    ctype = mimetypes.guess_type(full)[0] or "application/octet-stream"
    return {"statusCode": 200, "headers": {"content-type": ctype}, "body": data.decode("utf-8", "replace")}
