/** The push settings of the sync tests and benches: VK's category and the stock shown. */
export const SETTINGS = { categoryId: 40932, stockAmount: 1000 };
