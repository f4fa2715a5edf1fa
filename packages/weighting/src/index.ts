// Public API of @lrat/weighting.
export * from './reasoning-weights';
export * from './alternatives';
export * from './stats';
export { expCorrectlyRounded } from './exp';
