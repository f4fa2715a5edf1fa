// Public API of @lrat/miners — filled in by its issue.
export const PACKAGE_NAME = '@lrat/miners';
