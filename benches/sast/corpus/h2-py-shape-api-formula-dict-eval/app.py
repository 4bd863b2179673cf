import json

FORMULAS = {
    "rectangle": "w * h",
    "triangle": "w * h / 2",
    "ellipse": "3.14159 * w * h / 4",
}


def lambda_handler(event, context):
    body = json.loads(event.get("body") or "{}")
    formula = FORMULAS.get(body.get("shape"))
    if formula is None:
        return {"statusCode": 400, "body": "unknown shape"}
    scope = {"w": float(body.get("w", 0)), "h": float(body.get("h", 0))}
    area = eval(formula, {"__builtins__": {}}, scope)
    return {"statusCode": 200, "body": json.dumps({"area": area})}
