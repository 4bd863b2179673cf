import os

import psycopg2


def search_staff(limit=50, **filters):
    where = " AND ".join(f"{column} = '{value}'" for column, value in filters.items())
    sql = "SELECT id, name, team FROM staff"
    if where:
        sql += " WHERE " + where
    conn = psycopg2.connect(os.environ["DATABASE_URL"])
    with conn, conn.cursor() as cur:
        cur.execute(sql + " LIMIT %s", (limit,))
        return cur.fetchall()
