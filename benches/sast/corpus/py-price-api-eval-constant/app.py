import json

FORMULA = "price * qty * (1 - discount)"


def lambda_handler(event, context):
    q = event["queryStringParameters"]
    names = {"price": float(q["price"]), "qty": int(q["qty"]), "discount": 0.1}
    total = eval(FORMULA, {"__builtins__": {}}, names)
    return {"statusCode": 200, "body": json.dumps({"total": total})}
