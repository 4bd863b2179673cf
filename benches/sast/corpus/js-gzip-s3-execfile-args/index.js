const { execFile } = require('child_process');
const path = require('path');

exports.handler = async (event) => {
  const key = event.Records[0].s3.object.key;
  const local = path.join('/tmp', path.basename(key));
  await new Promise((resolve, reject) => {
    execFile('gzip', ['-k', '-9', local], (err, stdout) => {
      if (err) return reject(err);
      resolve(stdout);
    });
  });
  return { compressed: `${local}.gz` };
};
