import os


def handler(event, context):
    key = event["Records"][0]["s3"]["object"]["key"]
    local = os.path.join("/tmp/reports", key)
    with open(local) as fh:
        lines = fh.readlines()
    return {"key": key, "lines": len(lines)}
