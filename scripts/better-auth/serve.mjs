// Better Auth as a deployer would host it in front of Reclaim's pages: email and password with
// reset links, the emailOTP plugin for reset codes, SQLite through better-sqlite3, the pages'
// origin trusted. Better Auth is a library and sends no CORS headers, so this host adds them
// for the pages' origin. Each "mail" (a reset link, a code) is written as one JSON file in the
// mail folder instead of being sent. Its tables are created at start.
//
//   node scripts/better-auth/serve.mjs --port 8002 --pages-origin http://127.0.0.1:8000 \
//       --mail-dir mail --database better-auth.sqlite3 [--min-password-length 10] [--rate-limits]
//
// The packages come from the folder scripts/setup.sh installs them into
// ($RECLAIM_CACHE/better-auth/node_modules; --modules for another). Without --rate-limits
// Better Auth's rate limits are off, as they are outside production.
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";

const { values: args } = parseArgs({
  options: {
    port: { type: "string" },
    "pages-origin": { type: "string" },
    "mail-dir": { type: "string" },
    database: { type: "string" },
    "min-password-length": { type: "string", default: "10" },
    "rate-limits": { type: "boolean", default: false },
    modules: {
      type: "string",
      default: join(
        process.env.RECLAIM_CACHE || join(homedir(), ".cache/reclaim"),
        "better-auth/node_modules",
      ),
    },
  },
});
for (const required of ["port", "pages-origin", "mail-dir", "database"]) {
  if (!args[required]) {
    console.error(`serve.mjs: --${required} is required`);
    process.exit(2);
  }
}
const pages = new URL(args["pages-origin"]).origin;
const baseURL = `http://127.0.0.1:${args.port}`;
const mailDir = resolve(args["mail-dir"]);
mkdirSync(mailDir, { recursive: true });

// The packages live outside the repository, so they are resolved from that folder.
const requireFromModules = createRequire(join(resolve(args.modules), "_"));
const load = (name) => import(pathToFileURL(requireFromModules.resolve(name)).href);
const { betterAuth } = await load("better-auth");
const { toNodeHandler } = await load("better-auth/node");
const { getMigrations } = await load("better-auth/db/migration");
const { emailOTP } = await load("better-auth/plugins/email-otp");
const Database = requireFromModules("better-sqlite3");

// Named by the time of sending so that sorted names are in order; renamed into place so that a
// reader never sees half a file.
let sequence = 0;
function writeMail(mail) {
  const name = `${process.hrtime.bigint().toString().padStart(20, "0")}-${String(sequence++).padStart(6, "0")}.json`;
  writeFileSync(join(mailDir, `.${name}`), JSON.stringify(mail));
  renameSync(join(mailDir, `.${name}`), join(mailDir, name));
}

const auth = betterAuth({
  baseURL,
  secret: process.env.BETTER_AUTH_SECRET || randomBytes(32).toString("base64"),
  database: new Database(resolve(args.database)),
  trustedOrigins: [pages],
  emailAndPassword: {
    enabled: true,
    minPasswordLength: Number(args["min-password-length"]),
    async sendResetPassword({ user, url, token }) {
      writeMail({ kind: "reset-link", to: user.email, url, token });
    },
  },
  plugins: [
    emailOTP({
      async sendVerificationOTP({ email, otp, type }) {
        writeMail({ kind: type, to: email, otp });
      },
    }),
  ],
  rateLimit: { enabled: args["rate-limits"] },
});
const { runMigrations } = await getMigrations(auth.options);
await runMigrations();

const handler = toNodeHandler(auth);
createServer((request, response) => {
  const fromPages = request.headers.origin === pages;
  if (fromPages) {
    response.setHeader("Access-Control-Allow-Origin", pages);
    // The rate limit's wait, for the pages' countdown.
    response.setHeader("Access-Control-Expose-Headers", "X-Retry-After");
  }
  response.setHeader("Vary", "Origin");
  if (request.method === "OPTIONS" && request.headers["access-control-request-method"]) {
    if (fromPages) {
      response.setHeader("Access-Control-Allow-Methods", "GET, POST");
      response.setHeader("Access-Control-Allow-Headers", "content-type, accept-language");
      response.setHeader("Access-Control-Max-Age", "600");
    }
    response.writeHead(204).end();
    return;
  }
  handler(request, response);
}).listen(Number(args.port), "127.0.0.1", () => {
  console.log(`listening on ${baseURL}`);
});
