"""Orders handler: returns the order id it was given (the shield needs no code change)."""


def handler(event, context):
    return {"statusCode": 200, "body": str(event.get("order_id", ""))}
