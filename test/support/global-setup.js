// Before any test: dist/ must hold the current sources, for the tests that spawn Herald processes.
module.exports = () => {
  require('../../scripts/ensure-build.js');
};
