exports.handler = async (event) => {
  const { formula, x } = JSON.parse(event.body);
  const compute = Function('x', 'return ' + formula);
  return { statusCode: 200, body: String(compute(Number(x))) };
};
