import vm from 'node:vm';

const LIMITS = { timeout: 100 };

export async function handler(event) {
  const { rule, order } = event.detail ?? {};
  if (!rule?.expression) {
    return { matched: false };
  }
  const sandbox = vm.createContext({ order: { ...order }, Math });
  const matched = new vm.Script(rule.expression, { filename: rule.name }).runInContext(sandbox, LIMITS);
  return { matched: Boolean(matched), rule: rule.name };
}
