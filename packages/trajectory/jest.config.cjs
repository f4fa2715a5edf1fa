module.exports = { ...require('../../jest.preset.js'), displayName: 'trajectory', rootDir: __dirname };
