import json
import subprocess


def handler(event, context):
    message = json.loads(event["Records"][0]["Sns"]["Message"])
    print("alarm", message.get("AlarmName"))
    uptime = subprocess.check_output("uptime", shell=True, text=True)
    return {"alarm": message.get("AlarmName"), "uptime": uptime}
