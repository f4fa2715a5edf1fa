// Public API of @lrat/trajectory — filled in by its issue.
export const PACKAGE_NAME = '@lrat/trajectory';
