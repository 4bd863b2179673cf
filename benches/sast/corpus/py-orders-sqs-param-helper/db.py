import os

import psycopg2


def save_order(order_id, customer):
    conn = psycopg2.connect(os.environ["DATABASE_URL"])
    with conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO orders (id, customer) VALUES (%s, %s)",
            (order_id, customer),
        )
