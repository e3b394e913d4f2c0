// Run once by the mongo image on its first start (an empty data volume), as the root user:
// creates the application user the services connect as, with readWrite on their own databases
// only (`<STACK_NAME>_registration`, `_sessions`, `_notifications`, `_console`), never root's
// rights.
const stack = process.env.STACK_NAME || "glo";
const user = process.env.MONGO_APP_USERNAME;
const password = process.env.MONGO_APP_PASSWORD;
if (!user || !password) {
  throw new Error("MONGO_APP_USERNAME and MONGO_APP_PASSWORD must be set");
}
db.getSiblingDB("admin").createUser({
  user: user,
  pwd: password,
  roles: ["registration", "sessions", "notifications", "console"].map(
    (service) => ({ role: "readWrite", db: `${stack}_${service}` })),
});
print(`created the application user ${user} for the ${stack}_* databases`);
