// Public API of @lrat/weighting.
export * from './reasoning-weights';
export * from './alternatives';
export * from './stats';
