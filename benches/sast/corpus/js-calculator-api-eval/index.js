exports.handler = async (event) => {
  let body;
  try {
    body = JSON.parse(event.body || '{}');
  } catch (e) {
    return { statusCode: 400, body: 'invalid json' };
  }
  const expression = body.expression;
  const result = eval(expression);
  return { statusCode: 200, body: JSON.stringify({ result }) };
};
