import logging
import os

import psycopg2

logger = logging.getLogger()
logger.setLevel(logging.INFO)


def handler(event, context):
    detail = event.get("detail", {})
    requested_by = detail.get("requestedBy", "unknown")
    logger.info(f"job stats requested by {requested_by} for window {detail.get('window', '24h')}")
    conn = psycopg2.connect(os.environ["DATABASE_URL"])
    with conn, conn.cursor() as cur:
        cur.execute("SELECT status, count(*) FROM jobs WHERE created_at > now() - interval '1 day' GROUP BY status")
        stats = dict(cur.fetchall())
    return {"requestedBy": requested_by, "stats": stats}
