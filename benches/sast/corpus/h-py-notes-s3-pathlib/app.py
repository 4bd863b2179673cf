from pathlib import Path

BASE = Path("/tmp/notes")


def handler(event, context):
    key = event["Records"][0]["s3"]["object"]["key"]
    note = BASE / key
    text = note.read_text()
    return {"key": key, "words": len(text.split())}
