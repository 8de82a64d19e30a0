// node scripts/pg-database.mjs create|drop <admin-url> <name>: a scratch database for a CI run.
import pg from "pg";

const [cmd, url, name] = process.argv.slice(2);
if (!["create", "drop"].includes(cmd ?? "") || !url || !name || !/^[a-z0-9_]+$/.test(name)) {
  console.error("usage: node scripts/pg-database.mjs create|drop <admin-url> <name>");
  process.exit(2);
}
const client = new pg.Client({ connectionString: url });
await client.connect();
await client.query(cmd === "create" ? `CREATE DATABASE "${name}"` : `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
await client.end();
console.log(`${cmd === "create" ? "created" : "dropped"} database ${name}`);
