// Runs s3rver (a local S3-compatible server) on a free port for the test suite; prints the port.
// Started under Node with --openssl-legacy-provider (see tests/support/s3.ts).
const S3rver = require("s3rver");
const [directory, bucket] = process.argv.slice(2);
new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] })
  .run()
  .then(({ port }) => console.log(`S3RVER_PORT=${port}`))
  .catch((err) => {
    console.error(err);
    process.exit(1);
  });
