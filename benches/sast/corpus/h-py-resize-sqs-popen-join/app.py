import json
import subprocess


def handler(event, context):
    for record in event["Records"]:
        job = json.loads(record["body"])
        cmd = " ".join(["convert", job["source"], "-resize", job["size"], "/tmp/out.png"])
        proc = subprocess.Popen(cmd, shell=True)
        proc.wait()
    return {"done": len(event["Records"])}
