import shlex
import subprocess


def lambda_handler(event, context):
    term = event["queryStringParameters"]["term"]
    argv = shlex.split(f"grep -c {shlex.quote(term)} /var/task/words.txt")
    out = subprocess.run(argv, capture_output=True, text=True)
    return {"statusCode": 200, "body": out.stdout.strip()}
