const { execFileSync } = require('child_process');

exports.handler = async (event) => {
  const key = event.Records[0].s3.object.key;
  const input = `/tmp/${key}`;
  execFileSync('convert', [input, '-strip', '/tmp/clean.jpg']);
  return { cleaned: key };
};
