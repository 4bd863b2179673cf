import json
import sqlite3

SORTS = {"newest": "created_at DESC", "oldest": "created_at ASC", "title": "title COLLATE NOCASE"}

conn = sqlite3.connect("/tmp/blog.db")


def lambda_handler(event, context):
    params = event.get("queryStringParameters") or {}
    order = SORTS.get(params.get("sort"), SORTS["newest"])
    sql = f"SELECT id, title FROM posts WHERE author = :author ORDER BY {order} LIMIT 20"
    rows = conn.execute(sql, {"author": params.get("author", "")}).fetchall()
    return {"statusCode": 200, "body": json.dumps(rows)}
