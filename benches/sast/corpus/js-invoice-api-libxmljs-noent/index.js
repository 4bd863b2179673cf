const libxmljs = require('libxmljs');

exports.handler = async (event) => {
  const doc = libxmljs.parseXml(event.body, { noent: true, nonet: false });
  const total = doc.get('//total');
  return { statusCode: 200, body: total ? total.text() : '0' };
};
