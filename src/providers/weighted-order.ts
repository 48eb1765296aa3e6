// The order in which a model's deployments are tried: drawn by weight without replacement, so the
// first choice spreads load in proportion to the weights and the rest are the fallbacks in the
// same spirit. `random` is injected so tests can check the spread with a seeded sequence.

export function weightedOrder<T extends { weight: number }>(items: readonly T[], random: () => number = Math.random): T[] {
  const left = [...items];
  const order: T[] = [];
  while (left.length) {
    const total = left.reduce((sum, item) => sum + item.weight, 0);
    let index = 0;
    if (total > 0) {
      let point = random() * total;
      while (index < left.length - 1 && point >= left[index]!.weight) point -= left[index++]!.weight;
    }
    order.push(...left.splice(index, 1));
  }
  return order;
}
