// Public API of @lrat/server — filled in by its issue.
export const PACKAGE_NAME = '@lrat/server';
