import json
import sqlite3

conn = sqlite3.connect("/tmp/app.db")


def lambda_handler(event, context):
    user_id = event["pathParameters"]["userId"]
    cur = conn.cursor()
    cur.execute(f"SELECT name, email FROM users WHERE id = '{user_id}'")
    row = cur.fetchone()
    return {"statusCode": 200, "body": json.dumps(row)}
