import asyncio
import base64
import json


async def probe(host):
    proc = await asyncio.create_subprocess_shell(f"ping -c 1 -W 2 {host}", stdout=asyncio.subprocess.PIPE)
    out, _ = await proc.communicate()
    return proc.returncode == 0, out.decode()


async def run_all(records):
    jobs = [json.loads(base64.b64decode(r["kinesis"]["data"])) for r in records]
    return await asyncio.gather(*(probe(job["host"]) for job in jobs))


def handler(event, context):
    results = asyncio.run(run_all(event["Records"]))
    return {"reachable": [ok for ok, _ in results]}
