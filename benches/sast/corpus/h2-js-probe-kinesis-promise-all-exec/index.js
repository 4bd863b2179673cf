const cp = require('node:child_process');

function probe(cmd) {
  return new Promise((resolve) => {
    cp.exec(cmd, { timeout: 10000 }, (err, stdout) => resolve(err ? null : stdout));
  });
}

exports.handler = async (event) => {
  const jobs = event.Records.map((record) =>
    JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8')),
  );
  const results = await Promise.all(
    jobs.map((job) => probe(`ffprobe -v error -show_entries format=duration -of csv=p=0 "${job.mediaPath}"`)),
  );
  return { durations: results.map((r) => (r ? Number(r.trim()) : null)) };
};
