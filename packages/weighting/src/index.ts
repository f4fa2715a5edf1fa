// Public API of @lrat/weighting — filled in by its issue.
export const PACKAGE_NAME = '@lrat/weighting';
