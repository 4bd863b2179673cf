from pathlib import Path
from urllib.parse import unquote_plus

import boto3

s3 = boto3.client("s3")
INBOX = Path("/tmp/inbox").resolve()


def handler(event, context):
    stored = []
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        key = unquote_plus(record["s3"]["object"]["key"])
        target = (INBOX / key).resolve()
        if not target.is_relative_to(INBOX):
            print(f"refusing key outside inbox: {key}")
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
        stored.append(str(target))
    return {"stored": stored}
