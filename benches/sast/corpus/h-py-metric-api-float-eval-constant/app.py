import math

EXPRESSION = "math.sqrt(x * x + y * y)"


def lambda_handler(event, context):
    q = event["queryStringParameters"]
    env = {"math": math, "x": float(q["x"]), "y": float(q["y"])}
    return {"statusCode": 200, "body": str(eval(EXPRESSION, {"__builtins__": {}}, env))}
