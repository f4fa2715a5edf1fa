// Public API of @lrat/indexer — filled in by its issue.
export const PACKAGE_NAME = '@lrat/indexer';
