module.exports = { ...require('../../jest.preset.js'), displayName: 'miners', rootDir: __dirname };
