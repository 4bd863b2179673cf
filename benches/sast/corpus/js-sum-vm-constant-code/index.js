const vm = require('vm');

exports.handler = async (event) => {
  const body = JSON.parse(event.body);
  const context = { a: Number(body.a), b: Number(body.b) };
  const total = vm.runInNewContext('a + b', context);
  return { statusCode: 200, body: String(total) };
};
