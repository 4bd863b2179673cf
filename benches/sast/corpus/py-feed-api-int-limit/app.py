import json
import sqlite3

conn = sqlite3.connect("/tmp/app.db")


def lambda_handler(event, context):
    params = event.get("queryStringParameters") or {}
    limit = int(params.get("limit", "20"))
    rows = conn.execute(f"SELECT id, title FROM posts ORDER BY id DESC LIMIT {limit}").fetchall()
    return {"statusCode": 200, "body": json.dumps(rows)}
