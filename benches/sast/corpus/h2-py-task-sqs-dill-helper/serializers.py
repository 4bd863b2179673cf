import base64

import dill


def dump(obj):
    return base64.b64encode(dill.dumps(obj)).decode("ascii")


def restore(payload):
    return dill.loads(base64.b64decode(payload))
