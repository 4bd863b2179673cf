import requests


def download(url):
    resp = requests.get(url, timeout=10)
    resp.raise_for_status()
    return resp.content
