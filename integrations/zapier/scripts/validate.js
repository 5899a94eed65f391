'use strict';

/**
 * `zapier validate --without-style`, offline: the app's definition checked against
 * zapier-platform-schema by the platform's own `validate` command (the one the CLI runs
 * locally before anything is pushed). Exits 1 and lists the errors when it is not valid.
 */

const zapier = require('zapier-platform-core');
const App = require('..');

const validate = async (app) => {
  const handler = zapier.createAppHandler(app);
  const result = await new Promise((done, fail) =>
    handler({ command: 'validate', calledFromCli: true, logExtra: {}, bundle: {} }, {}, (err, out) => (err ? fail(err) : done(out))),
  );
  return result.results;
};

module.exports = { validate };

if (require.main === module) {
  validate(App).then(
    (errors) => {
      if (!errors.length) {
        const count = (group) => Object.keys(App[group] || {}).length;
        console.log(
          `The app is structurally sound: ${count('triggers')} triggers, ${count('creates')} actions, ` +
            `${count('searches')} search, ${count('searchOrCreates')} find-or-create (zapier-platform-schema ${zapier.version}).`,
        );
        return;
      }
      for (const error of errors) console.error(`${error.property}: ${error.message}`);
      process.exitCode = 1;
    },
    (err) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
