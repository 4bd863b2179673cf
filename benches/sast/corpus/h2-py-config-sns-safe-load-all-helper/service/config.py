import yaml


def parse_documents(text):
    return [doc for doc in yaml.safe_load_all(text) if isinstance(doc, dict)]
