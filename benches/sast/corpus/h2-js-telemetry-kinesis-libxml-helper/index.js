const { readReading } = require('./lib/xml');

async function* decoded(records) {
  for (const record of records) {
    yield Buffer.from(record.kinesis.data, 'base64').toString('utf8');
  }
}

exports.handler = async (event) => {
  const readings = [];
  for await (const xml of decoded(event.Records)) {
    readings.push(readReading(xml));
  }
  return { count: readings.length, readings };
};
