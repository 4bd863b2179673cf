const { exec } = require('child_process');
const util = require('util');

const run = util.promisify(exec);

exports.handler = async (event) => {
  const record = event.Records[0];
  const bucket = record.s3.bucket.name;
  const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
  console.log(`resizing s3://${bucket}/${key}`);
  const out = `/tmp/thumb-${Date.now()}.png`;
  await run(`convert "/tmp/${key}" -resize 128x128 ${out}`);
  return { bucket, out };
};
