module.exports = { ...require('../../jest.preset.js'), displayName: 'weighting', rootDir: __dirname };
