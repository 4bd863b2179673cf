from urllib.parse import unquote_plus

import boto3

from .helpers import sh

s3 = boto3.client("s3")


def handler(event, context):
    counts = {}
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        key = unquote_plus(record["s3"]["object"]["key"])
        local = "/tmp/" + key.replace("/", "_")
        s3.download_file(bucket, key, local)
        result = sh(f"gunzip -c {local} | wc -l", capture_output=True, text=True)
        counts[key] = int(result.stdout.strip() or 0)
    return counts
