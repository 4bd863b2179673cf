const https = require('https');

function download(url) {
  return new Promise((resolve, reject) => {
    https.get(url, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks)));
    }).on('error', reject);
  });
}

exports.handler = async (event) => {
  const image = event.Records[0].dynamodb.NewImage;
  const bytes = await download(image.avatarUrl.S);
  return { size: bytes.length };
};
