const yaml = require('js-yaml');

exports.handler = async (event) => {
  let config;
  try {
    config = yaml.load(event.body);
  } catch (err) {
    return { statusCode: 400, body: err.message };
  }
  return { statusCode: 200, body: JSON.stringify({ keys: Object.keys(config) }) };
};
