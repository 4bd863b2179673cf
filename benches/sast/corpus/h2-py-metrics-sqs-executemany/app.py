import json
import os

import pymysql

conn = pymysql.connect(host=os.environ["DB_HOST"], user="metrics", database="telemetry")


def handler(event, context):
    rows = [
        (m["device"], m["metric"], float(m["value"]))
        for m in (json.loads(r["body"]) for r in event["Records"])
    ]
    with conn.cursor() as cur:
        cur.executemany("INSERT INTO readings (device, metric, value) VALUES (%s, %s, %s)", rows)
    conn.commit()
    return {"inserted": len(rows)}
