import os
import urllib.parse


def lambda_handler(event, context):
    record = event["Records"][0]
    key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
    src = f"/tmp/{key}"
    dst = "/tmp/out.mp3"
    status = os.system(f"ffmpeg -y -i '{src}' {dst}")
    return {"status": status, "key": key}
