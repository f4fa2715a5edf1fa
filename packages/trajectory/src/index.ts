// Public API of @lrat/trajectory.
export * from './schema';
