import asyncio
import base64
import json


async def resize(job):
    width, height = int(job["width"]), int(job["height"])
    proc = await asyncio.create_subprocess_exec(
        "convert", "/tmp/source.png", "-resize", f"{width}x{height}", f"/tmp/out-{width}x{height}.png"
    )
    return await proc.wait()


async def run(records):
    jobs = [json.loads(base64.b64decode(r["kinesis"]["data"])) for r in records]
    return await asyncio.gather(*(resize(job) for job in jobs))


def handler(event, context):
    return {"exit_codes": asyncio.run(run(event["Records"]))}
