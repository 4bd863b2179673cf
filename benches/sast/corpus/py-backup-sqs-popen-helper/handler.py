import json

from tools import run_command


def main(event, context):
    done = []
    for record in event["Records"]:
        job = json.loads(record["body"])
        cmd = "pg_dump -t {} mydb > /tmp/dump.sql".format(job["table"])
        done.append(run_command(cmd))
    return done
