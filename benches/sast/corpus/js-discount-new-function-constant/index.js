const multiply = new Function('price', 'rate', 'return price * (1 - rate);');

exports.handler = async (event) => {
  const { price, rate } = JSON.parse(event.body);
  const total = multiply(Number(price), Number(rate));
  return { statusCode: 200, body: JSON.stringify({ total }) };
};
