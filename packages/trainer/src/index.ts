// Public API of @lrat/trainer — filled in by its issue.
export const PACKAGE_NAME = '@lrat/trainer';
