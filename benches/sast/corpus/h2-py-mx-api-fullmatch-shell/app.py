import re
import subprocess

LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"


def lambda_handler(event, context):
    domain = (event.get("queryStringParameters") or {}).get("domain", "")
    if not re.fullmatch(rf"{LABEL}(?:\.{LABEL})+", domain):
        return {"statusCode": 400, "body": "invalid domain"}
    out = subprocess.check_output(f"dig +short MX {domain} | sort -n", shell=True, text=True)
    return {"statusCode": 200, "body": out}
