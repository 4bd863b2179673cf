import os

import psycopg2


def record_payment(account, amount):
    conn = psycopg2.connect(os.environ["DATABASE_URL"])
    with conn, conn.cursor() as cur:
        sql = "INSERT INTO ledger (account, amount) VALUES ('{}', {})".format(account, amount)
        cur.execute(sql)
