import json
import shelve

CACHE_PATH = "/tmp/price-cache"


def handler(event, context):
    updated = []
    with shelve.open(CACHE_PATH) as cache:
        for record in event["Records"]:
            quote = json.loads(record["body"])
            sku = str(quote["sku"])
            cache[sku] = {"price": float(quote["price"]), "currency": quote.get("currency", "EUR")}
            updated.append(sku)
    return {"updated": updated}
