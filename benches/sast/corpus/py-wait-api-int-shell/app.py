import subprocess


def lambda_handler(event, context):
    params = event["queryStringParameters"]
    seconds = int(params["seconds"])
    out = subprocess.check_output(f"sleep {seconds} && echo done", shell=True)
    return {"statusCode": 200, "body": out.decode()}
