import marshal


def load_blob(data):
    return marshal.loads(data)
