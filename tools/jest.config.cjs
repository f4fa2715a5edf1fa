module.exports = { ...require('../jest.preset.js'), displayName: 'tools', rootDir: __dirname, testMatch: ['<rootDir>/test/**/*.spec.ts'] };
