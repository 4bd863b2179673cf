import json
import sqlite3


def lambda_handler(event, context):
    params = event.get("queryStringParameters") or {}
    sql = "SELECT id, name FROM staff WHERE 1 = 1"
    if params.get("team"):
        sql += " AND team = '" + params["team"] + "'"
    conn = sqlite3.connect("/tmp/hr.db")
    rows = conn.execute(sql).fetchall()
    return {"statusCode": 200, "body": json.dumps(rows)}
