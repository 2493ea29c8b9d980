import { describe, expect, it } from 'vitest';
import { plural } from '../../src/web/shared/format.js';

const PRODUCTS = ['товар', 'товара', 'товаров'] as const;

describe('plural', () => {
  it('takes the Russian form a count needs', () => {
    const forms = [1, 2, 5, 11, 12, 21, 22, 25, 101, 111, 2593, 5000].map(
      (n) => `${n} ${plural(n, PRODUCTS)}`,
    );
    expect(forms).toEqual([
      '1 товар',
      '2 товара',
      '5 товаров',
      '11 товаров',
      '12 товаров',
      '21 товар',
      '22 товара',
      '25 товаров',
      '101 товар',
      '111 товаров',
      '2593 товара',
      '5000 товаров',
    ]);
  });
});
