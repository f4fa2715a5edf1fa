module.exports = { ...require('../../jest.preset.js'), displayName: 'faiss', rootDir: __dirname };
