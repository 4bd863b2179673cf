const fs = require('fs');

exports.handler = async (event) => {
  const removed = event.Records.map((r) => {
    const file = '/tmp/cache/' + r.s3.object.key;
    fs.rmSync(file, { force: true });
    return file;
  });
  return { removed };
};
